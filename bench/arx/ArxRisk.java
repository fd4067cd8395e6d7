import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.DoubleFunction;

import org.deidentifier.arx.*;
import org.deidentifier.arx.AttributeType.Hierarchy;
import org.deidentifier.arx.criteria.*;
import org.deidentifier.arx.metric.Metric;
import org.deidentifier.arx.risk.*;

/**
 * ARX 3.9.2's risk figures for the raw adult data, to compare with `phiguard risk analyze`
 * (docs/benchmarks.md, "Risk: analysis vs ARX"; tests/risk_arx_adult_test.cc).
 *
 * Part 1: all nine columns as quasi-identifiers (as AdultK5.java): prosecutor, journalist and
 * marketer risk, sample uniques, and population uniqueness (Pitman, Zayatz, SNB, Dankar) for the
 * population sizes given.
 * Part 2: attribute disclosure with quasi-identifiers sex and race. ARX has no call
 * that returns a data set's l or t, so each figure is found by bisection: the raw data satisfies a
 * criterion exactly when ARX's optimum under it (0 % suppression) is the untransformed bottom node.
 *
 * usage: run.sh [DATA_DIR] [THRESHOLD=0.2] [POPULATION_SIZES=318857056,100000]
 */
public class ArxRisk {
    static final String[] ALL = {"sex","age","race","marital-status","education","native-country","workclass","occupation","salary-class"};
    static String dir;

    static Hierarchy hierarchy(String attr) throws Exception {
        return Hierarchy.create(new File(dir, "adult_hierarchy_" + attr + ".csv"), StandardCharsets.UTF_8, ';');
    }

    static Data load(String[] qis) throws Exception {
        Data data = Data.create(new File(dir, "adult.csv"), StandardCharsets.UTF_8, ';');
        for (String a : ALL) data.getDefinition().setAttributeType(a, AttributeType.INSENSITIVE_ATTRIBUTE);
        for (String qi : qis) data.getDefinition().setAttributeType(qi, hierarchy(qi));
        return data;
    }

    // Whether the raw data satisfies `model` for `sensitive`: ARX's optimum is the bottom node.
    static boolean rawSatisfies(String sensitive, PrivacyCriterion model, boolean integer) throws Exception {
        String[] qis = {"sex", "race"};
        Data data = load(qis);
        data.getDefinition().setAttributeType(sensitive, AttributeType.SENSITIVE_ATTRIBUTE);
        if (integer) data.getDefinition().setDataType(sensitive, DataType.INTEGER);
        ARXConfiguration c = ARXConfiguration.create();
        c.addPrivacyModel(model);
        c.setSuppressionLimit(0d);
        c.setQualityModel(Metric.createLossMetric());
        ARXResult r = new ARXAnonymizer().anonymize(data, c);
        ARXLattice.ARXNode opt = r.getGlobalOptimum();
        if (opt == null) return false;
        for (int level : opt.getTransformation()) if (level != 0) return false;
        return true;
    }

    // Smallest t the raw data satisfies (criteria monotone in t), by bisection on [0, 1].
    static double smallestT(DoubleFunction<Boolean> satisfies) {
        double lo = 0, hi = 1;
        for (int i = 0; i < 40; i++) {
            double mid = (lo + hi) / 2;
            if (satisfies.apply(mid)) hi = mid; else lo = mid;
        }
        return hi;
    }

    // Largest l the raw data satisfies (criteria monotone in l), by bisection on [1, max].
    static double largestL(DoubleFunction<Boolean> satisfies, double max) {
        double lo = 1, hi = max;
        for (int i = 0; i < 40; i++) {
            double mid = (lo + hi) / 2;
            if (satisfies.apply(mid)) lo = mid; else hi = mid;
        }
        return lo;
    }

    interface Check { boolean run() throws Exception; }
    static boolean unchecked(Check c) { try { return c.run(); } catch (Exception e) { throw new RuntimeException(e); } }

    public static void main(String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        dir = args.length > 0 ? args[0] : "../../../data/arx-adult";
        double thr = args.length > 1 ? Double.parseDouble(args[1]) : 0.2d;
        String pops = args.length > 2 ? args[2] : "318857056,100000";
        System.out.println("ARX " + "3.9.2" + " raw-data risk, java=" + System.getProperty("java.version"));

        // Part 1
        Data data = load(ALL);
        DataHandle handle = data.getHandle();
        RiskEstimateBuilder b = handle.getRiskEstimator(ARXPopulationModel.create(Long.parseLong(pops.split(",")[0])));
        RiskModelHistogram h = b.getEquivalenceClassModel();
        System.out.println("records=" + (long) h.getNumRecords() + " classes=" + (long) h.getNumClasses());
        RiskModelSampleUniqueness su = b.getSampleBasedUniquenessRisk();
        System.out.println("sample_uniques=" + (long) su.getNumUniqueRecords() + " fraction=" + su.getFractionOfUniqueRecords());
        RiskModelSampleSummary s = b.getSampleBasedRiskSummary(thr);
        System.out.println("threshold=" + thr);
        System.out.println("prosecutor highest=" + s.getProsecutorRisk().getHighestRisk() + " average=" + s.getProsecutorRisk().getSuccessRate() + " records_at_risk=" + s.getProsecutorRisk().getRecordsAtRisk());
        System.out.println("journalist highest=" + s.getJournalistRisk().getHighestRisk() + " average=" + s.getJournalistRisk().getSuccessRate() + " records_at_risk=" + s.getJournalistRisk().getRecordsAtRisk());
        System.out.println("marketer average=" + s.getMarketerRisk().getSuccessRate());
        for (String p : pops.split(",")) {
            RiskModelPopulationUniqueness pu = handle.getRiskEstimator(ARXPopulationModel.create(Long.parseLong(p))).getPopulationBasedUniquenessRisk();
            System.out.println("population=" + p + " pitman=" + pu.getNumUniqueTuplesPitman() + " zayatz=" + pu.getNumUniqueTuplesZayatz()
                    + " snb=" + pu.getNumUniqueTuplesSNB() + " dankar=" + pu.getNumUniqueTuplesDankar()
                    + " dankar_model=" + pu.getPopulationUniquenessModel() + " dankar_fraction=" + pu.getFractionOfUniqueTuplesDankar());
        }

        // Part 2: quasi-identifiers sex and race.
        final Hierarchy salary = hierarchy("salary-class");
        System.out.println("attribute disclosure, quasi-identifiers sex,race:");
        for (String sens : new String[] {"salary-class", "education"}) {
            double distinct = largestL(l -> unchecked(() -> rawSatisfies(sens, new DistinctLDiversity(sens, (int) Math.floor(l)), false)), 20);
            double entropy = largestL(l -> unchecked(() -> rawSatisfies(sens, new EntropyLDiversity(sens, l), false)), 20);
            double recursive = largestL(l -> unchecked(() -> rawSatisfies(sens, new RecursiveCLDiversity(sens, 2d, (int) Math.floor(l)), false)), 20);
            double tEqual = smallestT(t -> unchecked(() -> rawSatisfies(sens, new EqualDistanceTCloseness(sens, t), false)));
            System.out.println(sens + " distinct_l=" + (int) Math.floor(distinct) + " entropy_l=" + entropy
                    + " recursive_l(c=2)=" + (int) Math.floor(recursive) + " t_equal=" + tEqual);
        }
        double tHier = smallestT(t -> unchecked(() -> rawSatisfies("salary-class", new HierarchicalDistanceTCloseness("salary-class", t, salary), false)));
        System.out.println("salary-class t_hierarchical=" + tHier);
        final Hierarchy education = hierarchy("education");
        double tHierEducation = smallestT(t -> unchecked(() -> rawSatisfies("education", new HierarchicalDistanceTCloseness("education", t, education), false)));
        System.out.println("education t_hierarchical=" + tHierEducation);
        double tOrdered = smallestT(t -> unchecked(() -> rawSatisfies("age", new OrderedDistanceTCloseness("age", t), true)));
        System.out.println("age t_ordered=" + tOrdered);
    }
}
