// How the rules turn tokens into spans: a name extends over the name words after it, a list of
// names ("Suzette and Hank") is followed, and a name found in context is flagged at its other
// mentions in the document. Part of Rules (rules.h).
#include "phi/internal/rules.h"

#include <algorithm>
#include <cctype>

#include "absl/container/flat_hash_map.h"

namespace phiguard::phi::internal {

void Rules::Emit(size_t a, size_t b, PhiType type, float conf) {  // tokens [a, b]
  EmitOne(a, b, type, conf);
  if (type != PhiType::kName && type != PhiType::kClinicianName) return;
  // A list of names: "Suzette and Hank", "Drs Joseph and Robbinson", "Smokey, Morris and Roger".
  for (int guard = 0; guard < 4; ++guard) {
    size_t k = b + 1;
    if (k >= tok_.size() || Gap(k).find_first_not_of(" ,&") != std::string_view::npos ||
        Gap(k).size() > 3)
      return;
    bool conjunction = lower_[k] == "and" || lower_[k] == "or";
    if (conjunction) {
      ++k;
      if (k >= tok_.size() || Gap(k) != " ") return;
    } else if (Gap(k).find_first_of(",&") == std::string_view::npos) {
      return;
    }
    // After a comma only a known name continues the list ("Finn, RRT" ends it); after "and"
    // a capitalised unknown word does too ("Joseph and Robbinson").
    bool known = Nameish(k) && (!English(k) || Capitalised(k));
    // A three-letter word no list knows ends a list only where the clause ends ("suzette and
    // ank" closing a note, a misspelt name); before more words it is mostly an abbreviation
    // ("harry and ogt placed").
    const bool short_last = tok_[k].end - tok_[k].start == 3 && ClauseEndsAfter(k);
    bool unknown_ok = conjunction && Unknown(k) && (!LooksLikeWordForm(lower_[k]) || short_last) &&
                      (Capitalised(k) || mode_ != CaseMode::kMixed);
    if (!NameCandidate(k) || !(known || unknown_ok)) return;
    b = ExtendName(k, 2);
    EmitOne(k, b, type, conf * 0.9f);
  }
}

// A word found as a name or place in context ("son Hank", "to Quartermain 2") is the same PHI
// wherever else it stands in the document ("Both Suzette and Hank", "F-MICU/QUARTERMAIN/CCU").
void Rules::Propagate() {
  absl::flat_hash_map<std::string_view, std::pair<PhiType, float>, WordHash> found;
  // Bit min(length, 63) of each word in `found`.
  auto length_bit = [this](size_t k) {
    return uint64_t{1} << std::min<size_t>(tok_[k].end - tok_[k].start, 63);
  };
  uint64_t lengths = 0;
  const size_t emitted = out_.size();
  for (size_t m = 0; m < emitted; ++m) {
    const PatternMatch& p = out_[m];
    bool person = p.type == PhiType::kName || p.type == PhiType::kClinicianName;
    if (!person && p.type != PhiType::kFacility && p.type != PhiType::kLocation) continue;
    if (p.confidence < 0.7f) continue;  // only words found with context
    // The span's word tokens (tokens are sorted by start: binary search, not a scan).
    auto first = std::lower_bound(tok_.begin(), tok_.end(), p.start,
                                  [](const Token& t, size_t pos) { return t.start < pos; });
    for (size_t k = static_cast<size_t>(first - tok_.begin());
         k < tok_.size() && tok_[k].start < p.end; ++k) {
      if (tok_[k].end > p.end) continue;
      if (!Propagates(k)) continue;
      found.emplace(lower_[k], std::make_pair(p.type, p.confidence));
      lengths |= length_bit(k);
    }
  }
  if (found.empty()) return;
  // A token's flags follow from its lower-cased text, so a token that does not propagate has
  // no word in `found`; nor has one of a length no found word has. Only the others are hashed.
  // One branch per token, on the rare tokens that pass both tests: which words propagate is
  // data-dependent and mispredicted often (GCC splits `a & b` of two bools into two branches,
  // not a shifted bit). The token count is read once: EmitOne's appends cannot change it.
  const size_t n = tok_.size();
  for (size_t k = 0; k < n; ++k) {
    if (((uint64_t{Propagates(k)} << std::min<size_t>(tok_[k].end - tok_[k].start, 63)) &
         lengths) == 0)
      continue;
    auto it = found.find(lower_[k]);
    if (it == found.end()) continue;
    EmitOne(k, k, it->second.first, it->second.second * 0.9f);  // Resolve() merges repeats
  }
}

void Rules::EmitOne(size_t a, size_t b, PhiType type, float conf) {
  size_t end = tok_[b].end;
  // Digits glued to a name are part of it ("Larue605" in generated records, "QUARTERMAIN7").
  while (end < text_.size() && std::isdigit(static_cast<unsigned char>(text_[end]))) ++end;
  // "Mary's": the possessive belongs to the name.
  if (end + 1 < text_.size() && text_[end] == '\'' && (text_[end + 1] == 's' || text_[end + 1] == 'S'))
    end += 2;
  out_.push_back({tok_[a].start, end, type, conf});
}

// Extends a name that ends at token j over the following name words ("John A. Smith").
size_t Rules::ExtendName(size_t j, size_t max_tokens) const {
  size_t i = j;
  // In a note written in lower case a capitalised known name continues it even when it is also
  // a word ("Rita Hickey"): the writer meant it.
  while (j + 1 < tok_.size() && j + 1 - i < max_tokens && Joined(j + 1) &&
         (NameCandidate(j + 1) || (tok_[j + 1].initial && CapOk(j + 1)) ||
          (StandsOut(j + 1) && Nameish(j + 1))))
    ++j;
  // A trailing initial without its surname is not part of the name ("John A" then ".").
  return j;
}

}  // namespace phiguard::phi::internal
