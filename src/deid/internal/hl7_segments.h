// What the HL7 v2.x standard says about segments, as far as de-identification needs it: which
// segment ids exist and how many fields each defines (so a policy that names PID-55 or XYZ-3 is an
// error), and the shape of a person's name in a field (XCN "id^family^given^...", XPN
// "family^given^..."), so that a name carried where the standard puts none — a sender's
// misplaced field, a Z-segment — is still recognised and redacted. Pure functions; thread-safe.
#pragma once

#include <string_view>
#include <vector>

namespace phiguard::deid::internal {

// The highest field number HL7 v2.3-v2.8 defines for segment `id` ("PID" -> 40); 0 for a segment
// id the standard does not define (Z-segments are user-defined: see IsUserSegment).
int Hl7SegmentFieldCount(std::string_view id);

// Z-segments ("ZPD", "ZX1") are site-defined: any field number is possible.
inline bool IsUserSegment(std::string_view id) { return !id.empty() && id[0] == 'Z'; }

// How a repetition (split into components, escapes undone or not) names a person, if it does.
enum class NameShape {
  kNone,
  kXcn,  // id^family^given^middle^suffix^prefix^degree...: components 1-5 identify
  kXpn,  // family^given^middle^suffix^prefix^degree...: components 1-4 identify
};

// kXcn when component 2 and 3 are words of letters (a family and given name), component 1 is
// empty or one token (an id), and component 3 is not a coding system (so "2093-3^Cholesterol^LN",
// a coded value, is not a name). kXpn (only when `loose`, for fields nothing is known about, like
// Z-segment fields) when components 1 and 2 are such words and component 3 is not a coding system.
NameShape PersonNameShape(const std::vector<std::string_view>& components, bool loose);

// True for the components a name of `shape` identifies a person by (1-based).
inline bool IsNameComponent(NameShape shape, int component) {
  return (shape == NameShape::kXcn && component >= 1 && component <= 5) ||
         (shape == NameShape::kXpn && component >= 1 && component <= 4);
}

}  // namespace phiguard::deid::internal
