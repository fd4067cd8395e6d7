// ElementPaths, the FHIR walker's interned element paths: one id per (parent, key) however the
// keys come (the next-sibling hint is only a shortcut), dotted names built on demand, and past
// the bound, transient paths that ForgetTransient() drops while stable ids stay.
#include "deid/internal/element_paths.h"

#include <gtest/gtest.h>

#include <string>

#include "phiguard/core/strings.h"

namespace phiguard::deid::internal {
namespace {

constexpr int kNone = ElementPaths::kNone;

int Tag(std::string_view key) { return static_cast<int>(key.size()); }

TEST(ElementPaths, SameParentAndKeyGiveTheSamePathInAnyOrder) {
  ElementPaths paths;
  const int patient = paths.Child(kNone, kNone, "Patient", Tag);
  const int name = paths.Child(patient, kNone, "name", Tag);
  const int family = paths.Child(name, kNone, "family", Tag);
  const int given = paths.Child(name, family, "given", Tag);
  // Same order (hints hit), other order (hints miss), other previous member: same ids.
  EXPECT_EQ(paths.Child(kNone, kNone, "Patient", Tag), patient);
  EXPECT_EQ(paths.Child(patient, kNone, "name", Tag), name);
  EXPECT_EQ(paths.Child(name, kNone, "family", Tag), family);
  EXPECT_EQ(paths.Child(name, family, "given", Tag), given);
  EXPECT_EQ(paths.Child(name, kNone, "given", Tag), given);
  EXPECT_EQ(paths.Child(name, given, "family", Tag), family);
  // The same key under another parent is another path.
  const int encounter = paths.Child(kNone, patient, "Encounter", Tag);
  EXPECT_NE(paths.Child(encounter, kNone, "name", Tag), name);
  EXPECT_EQ(paths.Name(family), "Patient.name.family");
  EXPECT_EQ(paths.Name(given), "Patient.name.given");
  EXPECT_EQ(paths.Name(patient), "Patient");
  EXPECT_EQ(paths.Tag(family), 6);
  EXPECT_TRUE(paths.Stable(family));
}

TEST(ElementPaths, PastTheBoundPathsAreTransientAndForgottenWhileStableOnesStay) {
  ElementPaths paths;
  const int root = paths.Child(kNone, kNone, "Basic", Tag);
  const int first = paths.Child(root, kNone, "k0", Tag);
  const std::string* first_name = &paths.Name(first);
  int last = kNone;
  for (int i = 1; i < 40000; ++i) last = paths.Child(root, last, Cat("k", i), Tag);
  EXPECT_FALSE(paths.Stable(last));
  EXPECT_EQ(paths.Name(last), "Basic.k39999");
  const int below = paths.Child(last, kNone, "x", Tag);  // below a transient path: transient
  EXPECT_FALSE(paths.Stable(below));
  EXPECT_EQ(paths.Name(below), "Basic.k39999.x");
  paths.ForgetTransient();
  EXPECT_TRUE(paths.Stable(first));
  EXPECT_EQ(&paths.Name(first), first_name);  // stable names do not move
  EXPECT_EQ(*first_name, "Basic.k0");
  EXPECT_EQ(paths.Child(root, kNone, "k0", Tag), first);
  // A forgotten path comes back as a new transient one with the right name.
  const int again = paths.Child(root, first, "k39999", Tag);
  EXPECT_FALSE(paths.Stable(again));
  EXPECT_EQ(paths.Name(again), "Basic.k39999");
  EXPECT_EQ(paths.Child(root, kNone, "k39999", Tag), again);
}

}  // namespace
}  // namespace phiguard::deid::internal
