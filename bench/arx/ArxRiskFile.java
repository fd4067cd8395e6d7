import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import org.deidentifier.arx.*;
import org.deidentifier.arx.risk.*;

/**
 * ARX 3.9.2's risk analysis of any CSV, timed: the baseline for bench/risk_analyze_bench.sh.
 * Loads the file, marks the quasi-identifiers, and computes the sample risk summary (prosecutor,
 * journalist, marketer) and population uniqueness (Dankar) as `phiguard risk analyze` does.
 * usage: java ArxRiskFile FILE DELIMITER QI[,QI...] POPULATION_SIZE [THRESHOLD=0.2]
 */
public class ArxRiskFile {
    public static void main(String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        long t0 = System.nanoTime();
        Data data = Data.create(new File(args[0]), StandardCharsets.UTF_8, args[1].charAt(0));
        // Attribute types are set before the first getHandle(), which fixes the definition.
        String header;
        try (java.io.BufferedReader r = java.nio.file.Files.newBufferedReader(new File(args[0]).toPath())) {
            header = r.readLine();
        }
        for (String column : header.split(java.util.regex.Pattern.quote(args[1]))) {
            data.getDefinition().setAttributeType(column, AttributeType.INSENSITIVE_ATTRIBUTE);
        }
        for (String qi : args[2].split(",")) {
            data.getDefinition().setAttributeType(qi, AttributeType.QUASI_IDENTIFYING_ATTRIBUTE);
        }
        DataHandle handle = data.getHandle();
        double thr = args.length > 4 ? Double.parseDouble(args[4]) : 0.2d;
        long t1 = System.nanoTime();
        RiskEstimateBuilder b = handle.getRiskEstimator(ARXPopulationModel.create(Long.parseLong(args[3])));
        RiskModelSampleSummary s = b.getSampleBasedRiskSummary(thr);
        RiskModelPopulationUniqueness pu = b.getPopulationBasedUniquenessRisk();
        double dankar = pu.getNumUniqueTuplesDankar();
        long t2 = System.nanoTime();
        System.out.println("records=" + handle.getNumRows() + " prosecutor_average=" + s.getProsecutorRisk().getSuccessRate()
                + " records_at_risk=" + s.getProsecutorRisk().getRecordsAtRisk() + " dankar=" + dankar
                + " model=" + pu.getPopulationUniquenessModel());
        System.out.printf("ARX load_ms=%d analyze_ms=%d total_ms=%d%n", (t1 - t0) / 1000000, (t2 - t1) / 1000000, (t2 - t0) / 1000000);
    }
}
