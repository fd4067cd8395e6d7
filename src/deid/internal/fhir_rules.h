// FHIR element paths in a field policy and the matcher the FHIR walker runs them with.
//
//   Patient.name                     element `name` of Patient resources (and all below it)
//   Resource.text                    `text` at the top of any resource (DomainResource works too)
//   *.extension                      `extension` anywhere, at any depth, in any resource
//   Patient.identifier.where(type.coding.code='SS').value
//   *.telecom.where(system='email' or system='fax').value
//   Device                           the whole resource (keep or drop: drop removes the record)
//
// where(...) holds comparisons `relative.path = 'literal'` joined by all `and` or all `or`; a
// comparison holds if any value along the path equals the literal (arrays are flattened, as in
// FHIRPath). Several rules can match one value: the rule matched at the value itself wins over
// rules inherited from enclosing elements; among rules at one level, the most specific wins
// (longer path, then a where(), then a named resource type over Resource over *).
// Immutable after Compile(); safe to share between threads.
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "phiguard/deid/field_policy.h"

namespace phiguard::deid::internal {

struct FhirCondition {
  std::vector<std::string> path;  // relative to the element the where() belongs to
  std::string literal;
  size_t column = 0;  // 0-based offset of the comparison in the policy key
};

struct FhirStep {
  std::string name;
  std::vector<FhirCondition> where;
  bool where_all = true;  // `and` (true) or `or` (false)
  size_t column = 0;      // 0-based offset of the name in the policy key
};

struct FhirPath {
  enum class Root { kType, kAnyResource, kAnywhere } root = Root::kType;
  std::string resource_type;  // kType
  std::vector<FhirStep> steps;
};

// Parses one policy key. InvalidArgument naming the column (within the key) and the problem.
// A root that is not a FHIR R4 resource type is an error unless `extra_types` lists it.
absl::StatusOr<FhirPath> ParseFhirPath(std::string_view text,
                                       const std::vector<std::string>& extra_types = {});

// True for the resource types of FHIR R4.
bool IsFhirResourceType(std::string_view name);

class FhirRules {
 public:
  struct Match {
    const FieldRule* rule = nullptr;
    int specificity = -1;
  };
  // A set of trie nodes: where the walk stands in every rule at once.
  using Active = std::vector<int>;

  // Compiles `policy.fields`. InvalidArgument "<policy>: line L, column C: ..." for a bad path,
  // an unknown resource type or an element the resource or data type does not have (see
  // fhir_elements.h; policy.unchecked_types are exempt).
  static absl::StatusOr<FhirRules> Compile(const FieldPolicy& policy);

  // The nodes active at the top of a resource of `type`, and the rule naming the resource itself.
  void Start(std::string_view type, Active& active, Match& resource_rule) const;
  // The id of an element name (or resource type) some rule names; -1 for any other name, which
  // no rule can match (most keys of a resource).
  int KeyId(std::string_view name) const {
    auto it = key_ids_.find(absl::string_view(name.data(), name.size()));
    return it == key_ids_.end() ? -1 : it->second;
  }
  // Candidates for the key with id `key_id` (KeyId()) from `active` (before where() conditions
  // are checked).
  void Candidates(const Active& active, int key_id, std::vector<int>& edges) const;
  // The nodes of `edges` whose conditions hold for `element`, and the best rule among them.
  void Enter(const std::vector<int>& edges, simdjson::dom::element element, Active& next,
             Match& best) const;
  bool HasConditions(const std::vector<int>& edges) const;

 private:
  struct Edge {
    int target = 0;
    int step = -1;  // index into steps_ of the where() to check; -1: none
  };
  struct Node {
    absl::flat_hash_map<int, std::vector<int>> children;  // key id -> edge ids
    const FieldRule* rule = nullptr;
    int specificity = -1;
  };
  int Child(int node, const FhirStep& step);

  std::vector<Node> nodes_;
  std::vector<Edge> edges_;
  std::vector<FhirStep> steps_;  // steps with where() conditions
  absl::flat_hash_map<std::string, int> key_ids_;
  // Owned copies of the rules (the policy may go away).
  std::vector<std::unique_ptr<FieldRule>> rules_;
};

}  // namespace phiguard::deid::internal
