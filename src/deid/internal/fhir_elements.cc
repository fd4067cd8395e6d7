#include "deid/internal/fhir_elements.h"

#include <algorithm>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "phiguard/core/strings.h"

namespace phiguard::deid::internal {
namespace {

// Type: its elements, "name" for a primitive value, "name:Type" for a complex one ("*": a type
// the table does not describe, so nothing below it is checked). Backbone elements are named
// "Resource.element". Every type also has `id` and `extension`; resources and backbone elements
// `modifierExtension`; resources the elements of "Resource" (FHIR R4, US Core 4).
constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
    {"Address",
     "use type text line city district state postalCode country period:Period"},
    {"AllergyIntolerance",
     "identifier:Identifier clinicalStatus:CodeableConcept verificationStatus:CodeableConcept type category criticality code:CodeableConcept patient:Reference encounter:Reference onsetDateTime onsetAge:Quantity onsetPeriod:Period onsetRange:Range onsetString recordedDate recorder:Reference asserter:Reference lastOccurrence note:Annotation reaction:AllergyIntolerance.reaction"},
    {"AllergyIntolerance.reaction",
     "substance:CodeableConcept manifestation:CodeableConcept description onset severity exposureRoute:CodeableConcept note:Annotation"},
    {"Annotation",
     "authorReference:Reference authorString time text"},
    {"Attachment",
     "contentType language data url size hash title creation"},
    {"Bundle",
     "identifier:Identifier type timestamp total link:Bundle.link entry:Bundle.entry signature:*"},
    {"Bundle.entry",
     "link:Bundle.link fullUrl resource:* search:* request:* response:*"},
    {"Bundle.link",
     "relation url"},
    {"CodeableConcept",
     "coding:Coding text"},
    {"Coding",
     "system version code display userSelected"},
    {"Condition",
     "identifier:Identifier clinicalStatus:CodeableConcept verificationStatus:CodeableConcept category:CodeableConcept severity:CodeableConcept code:CodeableConcept bodySite:CodeableConcept subject:Reference encounter:Reference onsetDateTime onsetAge:Quantity onsetPeriod:Period onsetRange:Range onsetString abatementDateTime abatementAge:Quantity abatementPeriod:Period abatementRange:Range abatementString recordedDate recorder:Reference asserter:Reference stage:Condition.stage evidence:Condition.evidence note:Annotation"},
    {"Condition.evidence",
     "code:CodeableConcept detail:Reference"},
    {"Condition.stage",
     "summary:CodeableConcept assessment:Reference type:CodeableConcept"},
    {"ContactPoint",
     "system value use rank period:Period"},
    {"Device",
     "identifier:Identifier definition:Reference udiCarrier:Device.udiCarrier status statusReason:CodeableConcept distinctIdentifier manufacturer manufactureDate expirationDate lotNumber serialNumber deviceName:Device.deviceName modelNumber partNumber type:CodeableConcept specialization:Device.specialization version:Device.version property:Device.property patient:Reference owner:Reference contact:ContactPoint location:Reference url note:Annotation safety:CodeableConcept parent:Reference"},
    {"Device.deviceName",
     "name type"},
    {"Device.property",
     "type:CodeableConcept valueQuantity:Quantity valueCode:CodeableConcept"},
    {"Device.specialization",
     "systemType:CodeableConcept version"},
    {"Device.udiCarrier",
     "deviceIdentifier issuer jurisdiction carrierAIDC carrierHRF entryType"},
    {"Device.version",
     "type:CodeableConcept component:Identifier value"},
    {"DiagnosticReport",
     "identifier:Identifier basedOn:Reference status category:CodeableConcept code:CodeableConcept subject:Reference encounter:Reference effectiveDateTime effectivePeriod:Period issued performer:Reference resultsInterpreter:Reference specimen:Reference result:Reference imagingStudy:Reference media:DiagnosticReport.media conclusion conclusionCode:CodeableConcept presentedForm:Attachment"},
    {"DiagnosticReport.media",
     "comment link:Reference"},
    {"DocumentReference",
     "masterIdentifier:Identifier identifier:Identifier status docStatus type:CodeableConcept category:CodeableConcept subject:Reference date author:Reference authenticator:Reference custodian:Reference relatesTo:DocumentReference.relatesTo description securityLabel:CodeableConcept content:DocumentReference.content context:DocumentReference.context"},
    {"DocumentReference.content",
     "attachment:Attachment format:Coding"},
    {"DocumentReference.context",
     "encounter:Reference event:CodeableConcept period:Period facilityType:CodeableConcept practiceSetting:CodeableConcept sourcePatientInfo:Reference related:Reference"},
    {"DocumentReference.relatesTo",
     "code target:Reference"},
    {"Dosage",
     "sequence text additionalInstruction:CodeableConcept patientInstruction timing:Timing asNeededBoolean asNeededCodeableConcept:CodeableConcept site:CodeableConcept route:CodeableConcept method:CodeableConcept doseAndRate:Dosage.doseAndRate maxDosePerPeriod:Ratio maxDosePerAdministration:Quantity maxDosePerLifetime:Quantity"},
    {"Dosage.doseAndRate",
     "type:CodeableConcept doseRange:Range doseQuantity:Quantity rateRatio:Ratio rateRange:Range rateQuantity:Quantity"},
    {"Encounter",
     "identifier:Identifier status statusHistory:Encounter.statusHistory class:Coding classHistory:Encounter.classHistory type:CodeableConcept serviceType:CodeableConcept priority:CodeableConcept subject:Reference episodeOfCare:Reference basedOn:Reference participant:Encounter.participant appointment:Reference period:Period length:Quantity reasonCode:CodeableConcept reasonReference:Reference diagnosis:Encounter.diagnosis account:Reference hospitalization:Encounter.hospitalization location:Encounter.location serviceProvider:Reference partOf:Reference"},
    {"Encounter.classHistory",
     "class:Coding period:Period"},
    {"Encounter.diagnosis",
     "condition:Reference use:CodeableConcept rank"},
    {"Encounter.hospitalization",
     "preAdmissionIdentifier:Identifier origin:Reference admitSource:CodeableConcept reAdmission:CodeableConcept dietPreference:CodeableConcept specialCourtesy:CodeableConcept specialArrangement:CodeableConcept destination:Reference dischargeDisposition:CodeableConcept"},
    {"Encounter.location",
     "location:Reference status physicalType:CodeableConcept period:Period"},
    {"Encounter.participant",
     "type:CodeableConcept period:Period individual:Reference"},
    {"Encounter.statusHistory",
     "status period:Period"},
    {"Extension",
     "url extension:Extension valueString valueCode valueBoolean valueInteger valueDecimal valueDate valueDateTime valueInstant valueTime valueUri valueUrl valueCanonical valueId valueOid valueUuid valueMarkdown valueBase64Binary valuePositiveInt valueUnsignedInt valueCoding:Coding valueCodeableConcept:CodeableConcept valueQuantity:Quantity valueAge:Quantity valueDuration:Quantity valueCount:Quantity valueDistance:Quantity valueReference:Reference valueAddress:Address valueHumanName:HumanName valueIdentifier:Identifier valuePeriod:Period valueAttachment:Attachment valueContactPoint:ContactPoint valueRange:Range valueRatio:Ratio valueAnnotation:Annotation valueTiming:Timing valueMoney:Money valueSampledData:SampledData valueDosage:Dosage valueMeta:Meta valueSignature:* valueContactDetail:* valueExpression:* valueUsageContext:*"},
    {"HumanName",
     "use text family given prefix suffix period:Period"},
    {"Identifier",
     "use type:CodeableConcept system value period:Period assigner:Reference"},
    {"Immunization",
     "identifier:Identifier status statusReason:CodeableConcept vaccineCode:CodeableConcept patient:Reference encounter:Reference occurrenceDateTime occurrenceString recorded primarySource reportOrigin:CodeableConcept location:Reference manufacturer:Reference lotNumber expirationDate site:CodeableConcept route:CodeableConcept doseQuantity:Quantity performer:Immunization.performer note:Annotation reasonCode:CodeableConcept reasonReference:Reference isSubpotent subpotentReason:CodeableConcept education:Immunization.education programEligibility:CodeableConcept fundingSource:CodeableConcept reaction:Immunization.reaction protocolApplied:Immunization.protocolApplied"},
    {"Immunization.education",
     "documentType reference publicationDate presentationDate"},
    {"Immunization.performer",
     "function:CodeableConcept actor:Reference"},
    {"Immunization.protocolApplied",
     "series authority:Reference targetDisease:CodeableConcept doseNumberPositiveInt doseNumberString seriesDosesPositiveInt seriesDosesString"},
    {"Immunization.reaction",
     "date detail:Reference reported"},
    {"Location",
     "identifier:Identifier status operationalStatus:Coding name alias description mode type:CodeableConcept telecom:ContactPoint address:Address physicalType:CodeableConcept position:Location.position managingOrganization:Reference partOf:Reference hoursOfOperation:Location.hoursOfOperation availabilityExceptions endpoint:Reference"},
    {"Location.hoursOfOperation",
     "daysOfWeek allDay openingTime closingTime"},
    {"Location.position",
     "longitude latitude altitude"},
    {"MedicationRequest",
     "identifier:Identifier status statusReason:CodeableConcept intent category:CodeableConcept priority doNotPerform reportedBoolean reportedReference:Reference medicationCodeableConcept:CodeableConcept medicationReference:Reference subject:Reference encounter:Reference supportingInformation:Reference authoredOn requester:Reference performer:Reference performerType:CodeableConcept recorder:Reference reasonCode:CodeableConcept reasonReference:Reference instantiatesCanonical instantiatesUri basedOn:Reference groupIdentifier:Identifier courseOfTherapyType:CodeableConcept insurance:Reference note:Annotation dosageInstruction:Dosage dispenseRequest:MedicationRequest.dispenseRequest substitution:MedicationRequest.substitution priorPrescription:Reference detectedIssue:Reference eventHistory:Reference"},
    {"MedicationRequest.dispenseRequest",
     "initialFill:MedicationRequest.dispenseRequest.initialFill dispenseInterval:Quantity validityPeriod:Period numberOfRepeatsAllowed quantity:Quantity expectedSupplyDuration:Quantity performer:Reference"},
    {"MedicationRequest.dispenseRequest.initialFill",
     "quantity:Quantity duration:Quantity"},
    {"MedicationRequest.substitution",
     "allowedBoolean allowedCodeableConcept:CodeableConcept reason:CodeableConcept"},
    {"Meta",
     "versionId lastUpdated source profile security:Coding tag:Coding"},
    {"Money",
     "value currency"},
    {"Narrative",
     "status div"},
    {"Observation",
     "identifier:Identifier basedOn:Reference partOf:Reference status category:CodeableConcept code:CodeableConcept subject:Reference focus:Reference encounter:Reference effectiveDateTime effectivePeriod:Period effectiveTiming:Timing effectiveInstant issued performer:Reference valueQuantity:Quantity valueCodeableConcept:CodeableConcept valueString valueBoolean valueInteger valueRange:Range valueRatio:Ratio valueSampledData:SampledData valueTime valueDateTime valuePeriod:Period dataAbsentReason:CodeableConcept interpretation:CodeableConcept note:Annotation bodySite:CodeableConcept method:CodeableConcept specimen:Reference device:Reference referenceRange:Observation.referenceRange hasMember:Reference derivedFrom:Reference component:Observation.component"},
    {"Observation.component",
     "code:CodeableConcept valueQuantity:Quantity valueCodeableConcept:CodeableConcept valueString valueBoolean valueInteger valueRange:Range valueRatio:Ratio valueSampledData:SampledData valueTime valueDateTime valuePeriod:Period dataAbsentReason:CodeableConcept interpretation:CodeableConcept referenceRange:Observation.referenceRange"},
    {"Observation.referenceRange",
     "low:Quantity high:Quantity type:CodeableConcept appliesTo:CodeableConcept age:Range text"},
    {"Organization",
     "identifier:Identifier active type:CodeableConcept name alias telecom:ContactPoint address:Address partOf:Reference contact:Organization.contact endpoint:Reference"},
    {"Organization.contact",
     "purpose:CodeableConcept name:HumanName telecom:ContactPoint address:Address"},
    {"Patient",
     "identifier:Identifier active name:HumanName telecom:ContactPoint gender birthDate deceasedBoolean deceasedDateTime address:Address maritalStatus:CodeableConcept multipleBirthBoolean multipleBirthInteger photo:Attachment contact:Patient.contact communication:Patient.communication generalPractitioner:Reference managingOrganization:Reference link:Patient.link"},
    {"Patient.communication",
     "language:CodeableConcept preferred"},
    {"Patient.contact",
     "relationship:CodeableConcept name:HumanName telecom:ContactPoint address:Address gender organization:Reference period:Period"},
    {"Patient.link",
     "other:Reference type"},
    {"Period",
     "start end"},
    {"Person",
     "identifier:Identifier name:HumanName telecom:ContactPoint gender birthDate address:Address photo:Attachment managingOrganization:Reference active link:Person.link"},
    {"Person.link",
     "target:Reference assurance"},
    {"Practitioner",
     "identifier:Identifier active name:HumanName telecom:ContactPoint address:Address gender birthDate photo:Attachment qualification:Practitioner.qualification communication:CodeableConcept"},
    {"Practitioner.qualification",
     "identifier:Identifier code:CodeableConcept period:Period issuer:Reference"},
    {"PractitionerRole",
     "identifier:Identifier active period:Period practitioner:Reference organization:Reference code:CodeableConcept specialty:CodeableConcept location:Reference healthcareService:Reference telecom:ContactPoint availableTime:* notAvailable:* availabilityExceptions endpoint:Reference"},
    {"Procedure",
     "identifier:Identifier instantiatesCanonical instantiatesUri basedOn:Reference partOf:Reference status statusReason:CodeableConcept category:CodeableConcept code:CodeableConcept subject:Reference encounter:Reference performedDateTime performedPeriod:Period performedString performedAge:Quantity performedRange:Range recorder:Reference asserter:Reference performer:Procedure.performer location:Reference reasonCode:CodeableConcept reasonReference:Reference bodySite:CodeableConcept outcome:CodeableConcept report:Reference complication:CodeableConcept complicationDetail:Reference followUp:CodeableConcept note:Annotation focalDevice:Procedure.focalDevice usedReference:Reference usedCode:CodeableConcept"},
    {"Procedure.focalDevice",
     "action:CodeableConcept manipulated:Reference"},
    {"Procedure.performer",
     "function:CodeableConcept actor:Reference onBehalfOf:Reference"},
    {"Quantity",
     "value comparator unit system code"},
    {"Range",
     "low:Quantity high:Quantity"},
    {"Ratio",
     "numerator:Quantity denominator:Quantity"},
    {"Reference",
     "reference type identifier:Identifier display"},
    {"RelatedPerson",
     "identifier:Identifier active patient:Reference relationship:CodeableConcept name:HumanName telecom:ContactPoint gender birthDate address:Address photo:Attachment period:Period communication:Patient.communication"},
    {"Resource",
     "id meta:Meta implicitRules language text:Narrative contained:* extension:Extension modifierExtension:Extension"},
    {"SampledData",
     "origin:Quantity period factor lowerLimit upperLimit dimensions data"},
    {"Timing",
     "event repeat:Timing.repeat code:CodeableConcept"},
    {"Timing.repeat",
     "boundsDuration:Quantity boundsRange:Range boundsPeriod:Period count countMax duration durationMax durationUnit frequency frequencyMax period periodMax periodUnit dayOfWeek timeOfDay when offset"},
};

using Elements = absl::flat_hash_map<std::string, std::string>;  // name -> type ("" primitive)

const absl::flat_hash_map<std::string, Elements>& Table() {
  static const auto* table = [] {
    auto* t = new absl::flat_hash_map<std::string, Elements>();
    std::string_view base;
    for (const auto& [type, elements] : kTypes) {
      if (type == "Resource") base = elements;
    }
    for (const auto& [type, elements] : kTypes) {
      Elements& e = (*t)[std::string(type)];
      e["id"] = "";
      e["extension"] = "Extension";
      const bool resource = IsFhirResourceType(type);
      if (resource || type.find('.') != std::string_view::npos) e["modifierExtension"] = "Extension";
      std::string all(elements);
      if (resource) all = Cat(base, " ", elements);
      for (std::string_view item : Split(all, ' ')) {
        if (item.empty()) continue;
        size_t colon = item.find(':');
        e[std::string(item.substr(0, colon))] =
            colon == std::string_view::npos ? std::string() : std::string(item.substr(colon + 1));
      }
    }
    return t;
  }();
  return *table;
}

absl::Status Bad(size_t column, std::string_view what) {
  return absl::InvalidArgumentError(Cat("FHIR path, column ", column + 1, ": ", what));
}

// The types reached by element `name` from any of `types` ("" for a primitive value), or an error
// naming the step. An unchecked type ("*") among `types` makes `*unchecked` true.
absl::Status Step(const std::vector<std::string>& types, std::string_view name, size_t column,
                  std::vector<std::string>& next, bool* unchecked) {
  next.clear();
  for (const std::string& t : types) {
    if (t == "*") {
      *unchecked = true;
      return absl::OkStatus();
    }
    if (t.empty()) continue;  // a primitive: nothing below it
    auto it = Table().find(t);
    if (it == Table().end()) continue;
    auto e = it->second.find(absl::string_view(name.data(), name.size()));
    if (e != it->second.end() && std::find(next.begin(), next.end(), e->second) == next.end()) {
      next.push_back(e->second);
    }
  }
  if (!next.empty()) return absl::OkStatus();
  const bool all_primitive =
      std::all_of(types.begin(), types.end(), [](const std::string& t) { return t.empty(); });
  if (all_primitive) {
    return Bad(column, Cat("'", name, "': the element before it is a primitive value"));
  }
  std::string where = types.size() == 1 ? Cat("of ", types[0]) : "of any FHIR R4 type";
  return Bad(column, Cat("'", name, "' is not an element ", where));
}

// Checks the condition paths of `step`'s where() from `types`.
absl::Status Conditions(const FhirStep& step, const std::vector<std::string>& types) {
  for (const FhirCondition& c : step.where) {
    std::vector<std::string> at = types, next;
    bool unchecked = false;
    for (const std::string& name : c.path) {
      if (absl::Status s = Step(at, name, c.column, next, &unchecked); !s.ok()) return s;
      if (unchecked) break;
      at.swap(next);
    }
  }
  return absl::OkStatus();
}

}  // namespace

bool HasFhirElementTable(std::string_view type) {
  return IsFhirResourceType(type) && Table().contains(absl::string_view(type.data(), type.size()));
}

absl::Status CheckFhirElements(const FhirPath& path,
                               const std::vector<std::string>& unchecked_types) {
  std::vector<std::string> types;
  switch (path.root) {
    case FhirPath::Root::kType:
      if (HasFhirElementTable(path.resource_type)) {
        types.push_back(path.resource_type);
        break;
      }
      if (path.steps.empty() || std::find(unchecked_types.begin(), unchecked_types.end(),
                                          path.resource_type) != unchecked_types.end()) {
        return absl::OkStatus();
      }
      return Bad(0, Cat("the elements of ", path.resource_type,
                        " are not known to phiguard: list it under unchecked_types to address "
                        "them unchecked"));
    case FhirPath::Root::kAnyResource:
      for (const auto& [type, elements] : kTypes) {
        if (type == "Resource" || IsFhirResourceType(type)) types.emplace_back(type);
      }
      break;
    case FhirPath::Root::kAnywhere:
      for (const auto& [type, elements] : kTypes) types.emplace_back(type);
      break;
  }
  std::vector<std::string> next;
  for (const FhirStep& step : path.steps) {
    bool unchecked = false;
    if (absl::Status s = Step(types, step.name, step.column, next, &unchecked); !s.ok()) return s;
    if (unchecked) return absl::OkStatus();
    types.swap(next);
    if (absl::Status s = Conditions(step, types); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace phiguard::deid::internal
