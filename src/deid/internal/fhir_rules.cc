#include "deid/internal/fhir_rules.h"

#include <algorithm>
#include <cctype>

#include "deid/internal/fhir_elements.h"
#include "phiguard/core/strings.h"

namespace phiguard::deid::internal {
namespace {

// FHIR R4 resource types (http://hl7.org/fhir/R4/resourcelist.html).
constexpr std::string_view kResourceTypes[] = {
    "Account", "ActivityDefinition", "AdverseEvent", "AllergyIntolerance", "Appointment",
    "AppointmentResponse", "AuditEvent", "Basic", "Binary", "BiologicallyDerivedProduct",
    "BodyStructure", "Bundle", "CapabilityStatement", "CarePlan", "CareTeam", "CatalogEntry",
    "ChargeItem", "ChargeItemDefinition", "Claim", "ClaimResponse", "ClinicalImpression",
    "CodeSystem", "Communication", "CommunicationRequest", "CompartmentDefinition", "Composition",
    "ConceptMap", "Condition", "Consent", "Contract", "Coverage", "CoverageEligibilityRequest",
    "CoverageEligibilityResponse", "DetectedIssue", "Device", "DeviceDefinition", "DeviceMetric",
    "DeviceRequest", "DeviceUseStatement", "DiagnosticReport", "DocumentManifest",
    "DocumentReference", "EffectEvidenceSynthesis", "Encounter", "Endpoint", "EnrollmentRequest",
    "EnrollmentResponse", "EpisodeOfCare", "EventDefinition", "Evidence", "EvidenceVariable",
    "ExampleScenario", "ExplanationOfBenefit", "FamilyMemberHistory", "Flag", "Goal",
    "GraphDefinition", "Group", "GuidanceResponse", "HealthcareService", "ImagingStudy",
    "Immunization", "ImmunizationEvaluation", "ImmunizationRecommendation", "ImplementationGuide",
    "InsurancePlan", "Invoice", "Library", "Linkage", "List", "Location", "Measure",
    "MeasureReport", "Media", "Medication", "MedicationAdministration", "MedicationDispense",
    "MedicationKnowledge", "MedicationRequest", "MedicationStatement", "MedicinalProduct",
    "MessageDefinition", "MessageHeader", "MolecularSequence", "NamingSystem", "NutritionOrder",
    "Observation", "ObservationDefinition", "OperationDefinition", "OperationOutcome",
    "Organization", "OrganizationAffiliation", "Parameters", "Patient", "PaymentNotice",
    "PaymentReconciliation", "Person", "PlanDefinition", "Practitioner", "PractitionerRole",
    "Procedure", "Provenance", "Questionnaire", "QuestionnaireResponse", "RelatedPerson",
    "RequestGroup", "ResearchDefinition", "ResearchElementDefinition", "ResearchStudy",
    "ResearchSubject", "RiskAssessment", "RiskEvidenceSynthesis", "Schedule", "SearchParameter",
    "ServiceRequest", "Slot", "Specimen", "SpecimenDefinition", "StructureDefinition",
    "StructureMap", "Subscription", "Substance", "SupplyDelivery", "SupplyRequest", "Task",
    "TerminologyCapabilities", "TestReport", "TestScript", "ValueSet", "VerificationResult",
    "VisionPrescription"};

bool IsName(std::string_view s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

// Splits at `sep` outside quotes and parentheses. Offsets of the pieces go to `starts`.
std::vector<std::string_view> SplitTop(std::string_view s, char sep, std::vector<size_t>& starts) {
  std::vector<std::string_view> out;
  int depth = 0;
  char quote = 0;
  size_t begin = 0;
  starts.clear();
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      --depth;
    } else if (c == sep && depth == 0) {
      out.push_back(s.substr(begin, i - begin));
      starts.push_back(begin);
      begin = i + 1;
    }
  }
  out.push_back(s.substr(begin));
  starts.push_back(begin);
  return out;
}

absl::Status Bad(size_t column, std::string_view what) {
  return absl::InvalidArgumentError(Cat("FHIR path, column ", column + 1, ": ", what));
}

// "type.coding.code = 'SS' or system='x'" -> conditions.
absl::Status ParseWhere(std::string_view body, size_t offset, FhirStep& step) {
  // Tokens outside quotes: split on the words and / or.
  std::vector<std::string_view> parts;
  std::vector<size_t> starts;
  bool saw_and = false, saw_or = false;
  {
    char quote = 0;
    size_t begin = 0;
    for (size_t i = 0; i < body.size(); ++i) {
      char c = body[i];
      if (quote != 0) {
        if (c == quote) quote = 0;
        continue;
      }
      if (c == '\'' || c == '"') {
        quote = c;
        continue;
      }
      for (std::string_view word : {std::string_view(" and "), std::string_view(" or ")}) {
        if (body.substr(i, word.size()) == word) {
          parts.push_back(body.substr(begin, i - begin));
          starts.push_back(begin);
          (word == " and " ? saw_and : saw_or) = true;
          begin = i + word.size();
          i = begin - 1;
          break;
        }
      }
    }
    if (quote != 0) return Bad(offset, "unclosed quote in where()");
    parts.push_back(body.substr(begin));
    starts.push_back(begin);
  }
  if (saw_and && saw_or) return Bad(offset, "where() mixes 'and' and 'or'");
  step.where_all = !saw_or;
  for (size_t p = 0; p < parts.size(); ++p) {
    std::string_view cmp = parts[p];
    size_t col = offset + starts[p];
    size_t eq = cmp.find('=');
    if (eq == std::string_view::npos) return Bad(col, "where() needs path = 'value'");
    std::string_view lhs = StripAscii(cmp.substr(0, eq));
    std::string_view rhs = StripAscii(cmp.substr(eq + 1));
    if (rhs.size() < 2 || (rhs.front() != '\'' && rhs.front() != '"') || rhs.back() != rhs.front()) {
      return Bad(col, "where() compares with a quoted literal");
    }
    FhirCondition c;
    c.literal = std::string(rhs.substr(1, rhs.size() - 2));
    const size_t lead = cmp.find_first_not_of(' ');
    c.column = col + (lead == std::string_view::npos ? 0 : lead);
    for (std::string_view n : Split(lhs, '.')) {
      if (!IsName(n)) return Bad(col, "bad element name in where()");
      c.path.emplace_back(n);
    }
    step.where.push_back(std::move(c));
  }
  return absl::OkStatus();
}

void CollectStrings(simdjson::dom::element e, const std::vector<std::string>& path, size_t i,
                    const std::string& literal, bool& found) {
  if (found) return;
  simdjson::dom::array arr;
  if (e.get_array().get(arr) == simdjson::SUCCESS) {
    for (simdjson::dom::element x : arr) CollectStrings(x, path, i, literal, found);
    return;
  }
  if (i == path.size()) {
    std::string_view sv;
    if (e.get_string().get(sv) == simdjson::SUCCESS) found = sv == literal;
    bool b;
    if (e.get_bool().get(b) == simdjson::SUCCESS) found = (b ? "true" : "false") == literal;
    return;
  }
  simdjson::dom::object obj;
  if (e.get_object().get(obj) != simdjson::SUCCESS) return;
  simdjson::dom::element child;
  if (obj.at_key(path[i]).get(child) == simdjson::SUCCESS) {
    CollectStrings(child, path, i + 1, literal, found);
  }
}

bool Holds(const FhirStep& step, simdjson::dom::element e) {
  for (const FhirCondition& c : step.where) {
    bool found = false;
    CollectStrings(e, c.path, 0, c.literal, found);
    if (step.where_all && !found) return false;
    if (!step.where_all && found) return true;
  }
  return step.where_all;
}

}  // namespace

bool IsFhirResourceType(std::string_view name) {
  return std::binary_search(std::begin(kResourceTypes), std::end(kResourceTypes), name);
}

absl::StatusOr<FhirPath> ParseFhirPath(std::string_view text,
                                       const std::vector<std::string>& extra_types) {
  std::vector<size_t> starts;
  std::vector<std::string_view> parts = SplitTop(text, '.', starts);
  FhirPath path;
  std::string_view root = parts[0];
  if (root == "*") path.root = FhirPath::Root::kAnywhere;
  else if (root == "Resource" || root == "DomainResource") path.root = FhirPath::Root::kAnyResource;
  else if (IsFhirResourceType(root) ||
           std::find(extra_types.begin(), extra_types.end(), root) != extra_types.end())
    path.resource_type = std::string(root);
  else if (IsName(root) && std::isupper(static_cast<unsigned char>(root[0])))
    return Bad(0, Cat("'", root, "' is not a FHIR R4 resource type"));
  else return Bad(0, "a FHIR path starts with a resource type, Resource or *");
  for (size_t i = 1; i < parts.size(); ++i) {
    std::string_view p = parts[i];
    if (p.starts_with("where(")) {
      if (path.steps.empty() || !path.steps.back().where.empty()) {
        return Bad(starts[i], "where() must follow an element name");
      }
      if (!p.ends_with(")")) return Bad(starts[i], "where( without )");
      absl::Status s = ParseWhere(p.substr(6, p.size() - 7), starts[i] + 6, path.steps.back());
      if (!s.ok()) return s;
      continue;
    }
    if (!IsName(p)) return Bad(starts[i], "expected an element name");
    path.steps.push_back(FhirStep{std::string(p), {}, true, starts[i]});
  }
  if (path.root != FhirPath::Root::kType && path.steps.empty()) {
    return Bad(0, "'*' and 'Resource' need an element after them");
  }
  return path;
}

int FhirRules::Child(int node, const FhirStep& step) {
  const int key = key_ids_.emplace(step.name, static_cast<int>(key_ids_.size())).first->second;
  auto& ids = nodes_[node].children[key];
  if (step.where.empty()) {
    for (int id : ids) {
      if (edges_[id].step < 0) return edges_[id].target;
    }
  }
  Edge e;
  e.target = static_cast<int>(nodes_.size());
  nodes_.emplace_back();
  if (!step.where.empty()) {
    e.step = static_cast<int>(steps_.size());
    steps_.push_back(step);
  }
  nodes_[node].children[key].push_back(static_cast<int>(edges_.size()));
  edges_.push_back(e);
  return e.target;
}

absl::StatusOr<FhirRules> FhirRules::Compile(const FieldPolicy& policy) {
  FhirRules r;
  r.nodes_.resize(3);  // 0: by resource type, 1: any resource, 2: anywhere
  for (const auto& [name, rule] : policy.fields) {
    auto path = ParseFhirPath(name, policy.unchecked_types);
    if (!path.ok()) {
      return absl::InvalidArgumentError(Cat(PolicyWhere(policy, rule), path.status().message()));
    }
    if (absl::Status s = CheckFhirElements(*path, policy.unchecked_types); !s.ok()) {
      return absl::InvalidArgumentError(Cat(PolicyWhere(policy, rule), s.message()));
    }
    int node = 0, specificity = 0;
    switch (path->root) {
      case FhirPath::Root::kType:
        node = r.Child(0, FhirStep{path->resource_type, {}, true, 0});
        specificity = 1000 + 1;
        break;
      case FhirPath::Root::kAnyResource:
        node = 1;
        specificity = 1000;
        break;
      case FhirPath::Root::kAnywhere:
        node = 2;
        break;
    }
    for (const FhirStep& step : path->steps) {
      node = r.Child(node, step);
      specificity += 4 + (step.where.empty() ? 0 : 2);
    }
    if (r.nodes_[node].rule != nullptr) {
      return absl::InvalidArgumentError(
          Cat(PolicyWhere(policy, rule), "'", name, "' names the same elements as another rule"));
    }
    r.rules_.push_back(std::make_unique<FieldRule>(rule));
    r.nodes_[node].rule = r.rules_.back().get();
    r.nodes_[node].specificity = specificity;
  }
  return r;
}

void FhirRules::Start(std::string_view type, Active& active, Match& resource_rule) const {
  active.clear();
  active.push_back(1);
  resource_rule = Match();
  auto it = nodes_[0].children.find(KeyId(type));
  if (it == nodes_[0].children.end()) return;
  for (int id : it->second) {
    int target = edges_[id].target;
    active.push_back(target);
    if (nodes_[target].rule != nullptr) {
      resource_rule = Match{nodes_[target].rule, nodes_[target].specificity};
    }
  }
}

void FhirRules::Candidates(const Active& active, int id, std::vector<int>& edges) const {
  edges.clear();
  if (id < 0) return;
  auto add = [&](int node) {
    const auto& children = nodes_[node].children;
    if (children.empty()) return;
    auto it = children.find(id);
    if (it != children.end()) edges.insert(edges.end(), it->second.begin(), it->second.end());
  };
  for (int n : active) add(n);
  add(2);
}

bool FhirRules::HasConditions(const std::vector<int>& edges) const {
  for (int id : edges) {
    if (edges_[id].step >= 0) return true;
  }
  return false;
}

void FhirRules::Enter(const std::vector<int>& edges, simdjson::dom::element element,
                      Active& next, Match& best) const {
  next.clear();
  best = Match();
  for (int id : edges) {
    const Edge& e = edges_[id];
    if (e.step >= 0 && !Holds(steps_[e.step], element)) continue;
    next.push_back(e.target);
    const Node& n = nodes_[e.target];
    if (n.rule != nullptr && n.specificity > best.specificity) best = Match{n.rule, n.specificity};
  }
}

}  // namespace phiguard::deid::internal
