import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

import org.deidentifier.arx.*;
import org.deidentifier.arx.AttributeType.Hierarchy;
import org.deidentifier.arx.ARXLattice.ARXNode;
import org.deidentifier.arx.aggregates.StatisticsEquivalenceClasses;
import org.deidentifier.arx.criteria.KAnonymity;
import org.deidentifier.arx.criteria.PopulationUniqueness;
import org.deidentifier.arx.metric.Metric;
import org.deidentifier.arx.risk.RiskModelPopulationUniqueness.PopulationUniquenessModel;

/**
 * ARX 3.9.2's optimal transformation of the adult data (all nine columns as quasi-identifiers,
 * ARX's hierarchies) for any of the five metrics phiguard implements, optionally with the
 * population-uniqueness criterion: the reference for docs/benchmarks.md ("Anonymisation: every
 * metric vs ARX", "Population uniqueness as a constraint") and tests/risk_arx_adult_test.cc.
 * Metrics are the non-monotonic variants (suppressed records count as fully generalised), as
 * phiguard defines them.
 * usage: java ArxAnonymize DATA_DIR METRIC K SUPPRESSION [PU_THRESHOLD PU_MODEL POPULATION_SIZE]
 *   METRIC: loss | discernibility | aecs | entropy | precision
 *   PU_MODEL: pitman | zayatz | snb | dankar
 */
public class ArxAnonymize {
    static final String[] QIS = {"sex","age","race","marital-status","education","native-country","workclass","occupation","salary-class"};

    static Metric<?> metric(String name) {
        switch (name) {
            case "loss": return Metric.createLossMetric();
            case "discernibility": return Metric.createDiscernabilityMetric(false);
            case "aecs": return Metric.createAECSMetric();
            case "entropy": return Metric.createEntropyMetric(false);
            case "precision": return Metric.createPrecisionMetric(false);
        }
        throw new IllegalArgumentException("unknown metric " + name);
    }

    public static void main(String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        String dir = args[0];
        Data data = Data.create(new File(dir, "adult.csv"), StandardCharsets.UTF_8, ';');
        for (String qi : QIS) {
            data.getDefinition().setAttributeType(qi, Hierarchy.create(
                new File(dir, "adult_hierarchy_" + qi + ".csv"), StandardCharsets.UTF_8, ';'));
        }
        ARXConfiguration c = ARXConfiguration.create();
        int k = Integer.parseInt(args[2]);
        if (k > 1 || args.length <= 4) c.addPrivacyModel(new KAnonymity(k));
        if (args.length > 4) {
            PopulationUniquenessModel model = PopulationUniquenessModel.valueOf(args[5].toUpperCase());
            c.addPrivacyModel(new PopulationUniqueness(Double.parseDouble(args[4]), model,
                ARXPopulationModel.create(Long.parseLong(args[6]))));
        }
        c.setSuppressionLimit(Double.parseDouble(args[3]));
        c.setQualityModel(metric(args[1]));
        long t0 = System.nanoTime();
        ARXResult result = new ARXAnonymizer().anonymize(data, c);
        long ms = (System.nanoTime() - t0) / 1_000_000L;
        ARXNode opt = result.getGlobalOptimum();
        System.out.println("ARX " + String.join(" ", args) + " ms=" + ms);
        if (opt == null) { System.out.println("NO SOLUTION FOUND"); return; }
        System.out.println("transformation=" + Arrays.toString(opt.getTransformation()).replace(" ", "")
            + " score=" + opt.getLowestScore());
        StatisticsEquivalenceClasses ec = result.getOutput(opt, false).getStatistics().getEquivalenceClassStatistics();
        System.out.println("suppressed=" + ec.getNumberOfSuppressedRecords() + " classes=" + ec.getNumberOfEquivalenceClasses());
    }
}
