// l-diversity and t-closeness on single classes against hand-computed answers and the worked
// examples of Li et al. 2007 (t-closeness, ICDE), plus the hierarchy's error paths.
#include "phiguard/risk/attribute_disclosure.h"

#include <gtest/gtest.h>

#include <cmath>

namespace phiguard::risk {
namespace {

using Counts = std::vector<uint64_t>;

TEST(RiskAttributeDisclosure, DistinctAndEntropyLIgnoreZeros) {
  EXPECT_EQ(DistinctL(Counts{3, 0, 1, 0}), 2u);
  EXPECT_EQ(DistinctL(Counts{}), 0u);
  EXPECT_DOUBLE_EQ(EntropyL(Counts{5}), 1.0);
  EXPECT_NEAR(EntropyL(Counts{2, 0, 2}), 2.0, 1e-12);  // two equally likely values
  // p = (3/4, 1/4): H = -(3/4 ln 3/4 + 1/4 ln 1/4) = 0.5623351446188083.
  EXPECT_NEAR(EntropyL(Counts{3, 1}), std::exp(0.5623351446188083), 1e-12);
  EXPECT_EQ(EntropyL(Counts{0, 0}), 0.0);
}

TEST(RiskAttributeDisclosure, RecursiveCLComparesTheTopValueWithTheTail) {
  // Sorted r = (5, 3, 2): l = 2 -> 5 < c * (3 + 2).
  EXPECT_TRUE(RecursiveCL(Counts{2, 5, 3}, 1.1, 2));   // 5 < 5.5
  EXPECT_FALSE(RecursiveCL(Counts{2, 5, 3}, 1.0, 2));  // 5 < 5 is false
  // l = 3 -> 5 < c * 2.
  EXPECT_TRUE(RecursiveCL(Counts{2, 5, 3}, 3, 3));
  EXPECT_FALSE(RecursiveCL(Counts{2, 5, 3}, 2.5, 3));
  EXPECT_FALSE(RecursiveCL(Counts{2, 5, 0}, 100, 3));  // fewer than l values
  EXPECT_FALSE(RecursiveCL(Counts{2, 5}, 100, 0));
}

// Li et al. 2007, section 4.1: salaries 3k..11k, the whole table uniform over the nine values.
const Counts kSalaryOverall(9, 1);

TEST(RiskAttributeDisclosure, OrderedEmdMatchesLiEtAlExample) {
  // Class {3k, 4k, 5k}: 0.375; class {6k, 8k, 11k}: 0.167 (1/6).
  EXPECT_NEAR(OrderedEmd(Counts{1, 1, 1, 0, 0, 0, 0, 0, 0}, kSalaryOverall), 0.375, 1e-12);
  EXPECT_NEAR(OrderedEmd(Counts{0, 0, 0, 1, 0, 1, 0, 0, 1}, kSalaryOverall), 1.0 / 6, 1e-12);
  // A class vector shorter than the overall one has zeros after its end.
  EXPECT_NEAR(OrderedEmd(Counts{1, 1, 1}, kSalaryOverall), 0.375, 1e-12);
  EXPECT_EQ(OrderedEmd(Counts{1}, Counts{4}), 0.0);  // one value: no distance
}

TEST(RiskAttributeDisclosure, EqualDistanceEmdIsHalfTheL1Distance) {
  // Class {3k, 4k, 5k}: 1/2 * (3 * (1/3 - 1/9) + 6 * 1/9) = 2/3.
  EXPECT_NEAR(EqualDistanceEmd(Counts{1, 1, 1}, kSalaryOverall), 2.0 / 3, 1e-12);
  EXPECT_NEAR(EqualDistanceEmd(kSalaryOverall, kSalaryOverall), 0.0, 1e-12);
  EXPECT_EQ(EqualDistanceEmd(Counts{}, kSalaryOverall), 0.0);
}

TEST(RiskAttributeDisclosure, OrdersAreNumericOrGiven) {
  EXPECT_EQ(NumericRanks({"10", "9", "100", "-1"}), (std::vector<uint32_t>{2, 1, 3, 0}));
  EXPECT_TRUE(NumericRanks({"10", "ten"}).empty());
  auto r = RanksInOrder({"high", "low", "mid"}, {"low", "mid", "high", "unused"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (std::vector<uint32_t>{2, 0, 1}));
  EXPECT_EQ(RanksInOrder({"high", "other"}, {"high"}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// a, b -> X; c, d -> Y; X, Y -> *.
Hierarchy Tree() {
  return *Hierarchy::FromRows({{"a", "X", "*"}, {"b", "X", "*"}, {"c", "Y", "*"}, {"d", "Y", "*"}},
                              "tree");
}

TEST(RiskAttributeDisclosure, HierarchicalEmdMovesMassUpTheTree) {
  auto h = EmdHierarchy::Create(Tree(), {"a", "b", "c", "d"});
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->height(), 2);
  const Counts uniform{1, 1, 1, 1};
  // Class {a}: 1/4 moves a -> b (distance 1/2) and 1/2 moves a -> {c, d} (distance 1):
  // 1/8 + 1/2 = 0.625.
  EXPECT_NEAR(HierarchicalEmd(Counts{1, 0, 0, 0}, uniform, *h), 0.625, 1e-12);
  // Class {a, b}: 1/2 moves from X to Y across the root: 0.5.
  EXPECT_NEAR(HierarchicalEmd(Counts{1, 1, 0, 0}, uniform, *h), 0.5, 1e-12);
  // Class {a, c}: mass moves only inside X and Y: 2 * 1/4 * 1/2 = 0.25.
  EXPECT_NEAR(HierarchicalEmd(Counts{1, 0, 1, 0}, uniform, *h), 0.25, 1e-12);
  EXPECT_NEAR(HierarchicalEmd(uniform, uniform, *h), 0.0, 1e-12);
}

TEST(RiskAttributeDisclosure, HierarchyMapsValueIdsToRowsInAnyOrder) {
  // The data's value ids need not follow the hierarchy's rows; rows without data count as zero.
  auto h = EmdHierarchy::Create(Tree(), {"d", "a"});
  ASSERT_TRUE(h.ok());
  // Overall {d: 1, a: 1}; class {a}: 1/2 moves a -> d across the root: 0.5.
  EXPECT_NEAR(HierarchicalEmd(Counts{0, 1}, Counts{1, 1}, *h), 0.5, 1e-12);
}

TEST(RiskAttributeDisclosure, BadHierarchiesAreInvalidArgument) {
  // The layout and the tree are checked by Hierarchy::FromRows; EmdHierarchy adds these.
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  EXPECT_EQ(EmdHierarchy::Create(*Hierarchy::FromRows({{"a"}}, "flat"), {"a"}).status().code(),
            kInvalid);  // no generalisation
  EXPECT_EQ(EmdHierarchy::Create(Tree(), {"a", "z"}).status().code(), kInvalid);  // z: no row
  // A hierarchy that is not a tree never reaches EmdHierarchy.
  EXPECT_EQ(Hierarchy::FromRows({{"a", "X", "*"}, {"b", "X", "+"}}, "t").status().code(), kInvalid);
}

}  // namespace
}  // namespace phiguard::risk
