// Shard-parallel de-identification (DESIGN.md "Scale beyond one machine"): split an input into N
// shards, de-identify each in its own process with the same key, concatenate — the result is
// byte-identical to one run over the whole input. Runs the real `phiguard` command.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "test_util.h"

namespace phiguard {
namespace {

using testing_util::ReadFile;
using testing_util::ScopedTempDir;
using testing_util::WriteFile;

int RunCli(const std::string& args) {
  std::string cmd = std::string(PHIGUARD_CLI) + " " + args + " 2>/dev/null";
  return std::system(cmd.c_str());
}

TEST(ShardConsistency, ShardedJsonlTextRunEqualsSingleRun) {
  ScopedTempDir dir;
  std::string key = WriteFile(dir.File("key.hex"), std::string(64, 'a') + "\n");
  // 40 notes, several per patient, so pseudonyms and per-patient date shifts must agree across
  // shards that never see each other.
  std::vector<std::string> lines;
  const char* names[] = {"John Moreau", "Mary Walsh", "Hank Przybylo", "Linda Park"};
  for (int i = 0; i < 40; ++i) {
    lines.push_back("{\"id\": \"n" + std::to_string(i) + "\", \"patient_id\": \"p" +
                    std::to_string(i % 4) + "\", \"text\": \"Mr. " + names[i % 4] +
                    " seen on 07/" + std::to_string(10 + i % 15) +
                    "/2023 by Dr. Healey, MRN: 00" + std::to_string(4829130 + i % 4) + ".\"}");
  }
  std::string all;
  for (const auto& l : lines) all += l + "\n";
  WriteFile(dir.File("all.jsonl"), all);
  const int kShards = 3;
  for (int s = 0; s < kShards; ++s) {
    std::string shard;
    for (size_t i = s; i < lines.size(); i += kShards) shard += lines[i] + "\n";
    WriteFile(dir.File("shard" + std::to_string(s) + ".jsonl"), shard);
  }
  const std::string common = " deid text -q --profile pseudonymize --key-file " + key + " ";
  ASSERT_EQ(RunCli(common + "-o " + dir.File("all.out") + " " + dir.File("all.jsonl")), 0);
  std::vector<std::string> out_lines = testing_util::Lines(ReadFile(dir.File("all.out")));
  ASSERT_EQ(out_lines.size(), lines.size());
  for (int s = 0; s < kShards; ++s) {
    std::string sfx = std::to_string(s);
    ASSERT_EQ(RunCli(common + "-o " + dir.File("shard" + sfx + ".out") + " " +
                  dir.File("shard" + sfx + ".jsonl")),
              0);
    std::vector<std::string> shard_out = testing_util::Lines(ReadFile(dir.File("shard" + sfx + ".out")));
    // Reassemble in the original order: shard s holds lines s, s+N, s+2N, ...
    for (size_t j = 0; j < shard_out.size(); ++j) {
      EXPECT_EQ(shard_out[j], out_lines[s + j * kShards]) << "shard " << s << " line " << j;
    }
  }
  EXPECT_EQ(ReadFile(dir.File("all.out")).find("Moreau"), std::string::npos);
}

TEST(ShardConsistency, ShardedCsvRunEqualsSingleRun) {
  ScopedTempDir dir;
  std::string key = WriteFile(dir.File("key.hex"), std::string(64, 'b') + "\n");
  const std::string header = "mrn,name,birth_date,zip,age,admitted,diagnosis,note,site\n";
  std::string body = ReadFile("data/samples/patients.csv");
  ASSERT_FALSE(body.empty());
  body = body.substr(body.find('\n') + 1);
  std::vector<std::string> rows = testing_util::Lines(body);
  std::string first = header, second = header;
  for (size_t i = 0; i < rows.size(); ++i) (i < rows.size() / 2 ? first : second) += rows[i] + "\n";
  WriteFile(dir.File("a.csv"), first);
  WriteFile(dir.File("b.csv"), second);
  const std::string common = " deid csv -q --policy data/samples/patients-policy.yaml --key-file " + key + " ";
  ASSERT_EQ(RunCli(common + "-o " + dir.File("all.out") + " data/samples/patients.csv"), 0);
  ASSERT_EQ(RunCli(common + "-o " + dir.File("a.out") + " " + dir.File("a.csv")), 0);
  ASSERT_EQ(RunCli(common + "-o " + dir.File("b.out") + " " + dir.File("b.csv")), 0);
  std::string b = ReadFile(dir.File("b.out"));
  EXPECT_EQ(ReadFile(dir.File("a.out")) + b.substr(b.find('\n') + 1), ReadFile(dir.File("all.out")));
}

}  // namespace
}  // namespace phiguard
