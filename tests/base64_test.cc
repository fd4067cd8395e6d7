// Base64 for FHIR attachments and HL7 ED data: RFC 4648 section 10 test vectors both ways, and
// the inputs the decoder must refuse.
#include "deid/internal/base64.h"

#include <gtest/gtest.h>

#include <string>

namespace phiguard::deid::internal {
namespace {

struct Vector {
  std::string plain;
  std::string encoded;
};

TEST(Base64, Rfc4648VectorsRoundTrip) {
  const Vector kVectors[] = {{"", ""},
                             {"f", "Zg=="},
                             {"fo", "Zm8="},
                             {"foo", "Zm9v"},
                             {"foob", "Zm9vYg=="},
                             {"fooba", "Zm9vYmE="},
                             {"foobar", "Zm9vYmFy"}};
  for (const Vector& v : kVectors) {
    EXPECT_EQ(Base64Encode(v.plain), v.encoded) << v.plain;
    std::optional<std::string> back = Base64Decode(v.encoded);
    ASSERT_TRUE(back.has_value()) << v.encoded;
    EXPECT_EQ(*back, v.plain);
  }
}

TEST(Base64, EveryByteValueRoundTrips) {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  for (size_t len = 0; len <= all.size(); len += 85) {  // lengths 0, 85, 170, 255: all paddings
    std::string in = all.substr(0, len);
    std::optional<std::string> back = Base64Decode(Base64Encode(in));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, in);
  }
}

TEST(Base64, MalformedInputIsRefused) {
  EXPECT_FALSE(Base64Decode("Zm9").has_value());      // not a multiple of 4
  EXPECT_FALSE(Base64Decode("Zm9v\nYmFy").has_value());  // whitespace
  EXPECT_FALSE(Base64Decode("Zm*v").has_value());     // outside the alphabet
  EXPECT_FALSE(Base64Decode("Zm9v-_==").has_value());  // the URL-safe alphabet is not base64
  EXPECT_FALSE(Base64Decode("Zg==Zm9v").has_value());  // padding before the last quartet
  EXPECT_FALSE(Base64Decode("Zm9vY*Fy").has_value());  // a bad byte in any position of a quartet
  EXPECT_FALSE(Base64Decode("Zm9vYm\x80y").has_value());
}

TEST(Base64, AppendBase64AppendsWhatBase64EncodeReturns) {
  std::string out = "\"";
  AppendBase64(out, "foobar");
  AppendBase64(out, "fo");
  EXPECT_EQ(out, "\"Zm9vYmFyZm8=");
}

}  // namespace
}  // namespace phiguard::deid::internal
