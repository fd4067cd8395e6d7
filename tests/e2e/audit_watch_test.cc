// `phiguard audit watch` and `audit alerts` end to end: the built command over a real SQLite log,
// a real HTTP webhook server on 127.0.0.1 (Boost.Asio, ephemeral port) that receives the alerts,
// a failing webhook that must not lose them, links from alerts to provable events, and a canary
// patient identifier that must never show up in alerts, output or webhook bodies.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "phiguard/audit/alert_store.h"
#include "phiguard/audit/alert_webhook.h"
#include "test_util.h"

namespace phiguard::audit {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Json = nlohmann::json;
using ::absl::StatusCode;

// A webhook receiver: accepts connections one at a time, records each POST and answers `status`.
class WebhookServer {
 public:
  WebhookServer() : acceptor_(ioc_, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)) {
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { Serve(); });
  }
  ~WebhookServer() {
    stop_ = true;
    beast::error_code ec;
    tcp::socket wake(ioc_);
    wake.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_), ec);
    thread_.join();
  }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hooks/phiguard"; }
  void set_status(unsigned s) { status_ = s; }
  struct Request {
    std::string method, target, content_type, body;
  };
  std::vector<Request> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  void Serve() {
    while (!stop_) {
      tcp::socket socket(ioc_);
      beast::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stop_) continue;
      beast::flat_buffer buffer;
      http::request<http::string_body> req;
      http::read(socket, buffer, req, ec);
      if (ec) continue;
      {
        std::lock_guard<std::mutex> lock(mu_);
        requests_.push_back({std::string(req.method_string()), std::string(req.target()),
                             std::string(req[http::field::content_type]), req.body()});
      }
      http::response<http::string_body> res{static_cast<http::status>(status_.load()), 11};
      res.body() = "ok";
      res.prepare_payload();
      http::write(socket, res, ec);
      socket.shutdown(tcp::socket::shutdown_both, ec);
    }
  }

  net::io_context ioc_;
  tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::atomic<unsigned> status_{200};
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<Request> requests_;
  std::thread thread_;
};

struct CliRun {
  int code = -1;
  std::string out, err;
};

class AuditWatchTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(Cli("audit init").code, 0);
    std::string events;
    for (const char* line : {
             // break-glass on the canary patient, then PHI to a vendor without a BAA
             R"({"time":"2026-03-02T10:00:00Z","actor":{"id":"u:ann","role":"nurse"},"action":"break_glass","resource":{"type":"Patient","ids":["MRN-CANARY-55501"]},"patient":"MRN-CANARY-55501","purpose":"emergency","outcome":"success"})",
             R"({"time":"2026-03-02T10:05:00Z","actor":{"id":"u:ann","role":"nurse"},"action":"read","resource":{"type":"Patient","ids":["MRN-CANARY-55501"]},"patient":"MRN-CANARY-55501","purpose":"emergency","outcome":"success"})",
             R"({"time":"2026-03-02T11:00:00Z","actor":{"id":"svc:summariser","role":"service"},"action":"summarize","patient":"MRN-CANARY-55501","phi_types":["NAME","SSN"],"purpose":"treatment","destination":{"vendor":"acme-ai"},"outcome":"success"})",
             R"({"time":"2026-03-02T12:00:00Z","actor":{"id":"u:bo","role":"clinician"},"action":"read","resource":{"type":"Patient","ids":["MRN-1"]},"patient":"MRN-1","purpose":"treatment","outcome":"success"})"}) {
      events += std::string(line) + "\n";
    }
    testing_util::WriteFile(dir_.File("events.jsonl"), events);
    testing_util::WriteFile(dir_.File("anomaly.yaml"),
                            "flagged_patients: [MRN-CANARY-55501]\n"
                            "services:\n  \"svc:summariser\": {purposes: [treatment], actions: [summarize]}\n"
                            "vendors:\n  acme-ai: {covered_phi_types: [NAME, DATE]}\n");
    ASSERT_EQ(Cli("audit append " + dir_.File("events.jsonl")).code, 0);
  }

  CliRun Cli(const std::string& args) {
    const std::string out = dir_.File("out.txt"), err = dir_.File("err.txt");
    const std::string cmd = "'" + std::string(PHIGUARD_CLI) + "' --home '" + dir_.File("home") +
                            "' " + args + " >'" + out + "' 2>'" + err + "'";
    const int rc = std::system(cmd.c_str());
    CliRun r{WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, testing_util::ReadFile(out), testing_util::ReadFile(err)};
    all_output_ += r.out + r.err;
    return r;
  }
  std::string Watch(const std::string& extra = "") {
    return "audit watch --config '" + dir_.File("anomaly.yaml") + "' " + extra;
  }
  std::vector<Json> Lines(const std::string& text) {
    std::vector<Json> out;
    for (const std::string& l : testing_util::Lines(text)) {
      if (!l.empty()) out.push_back(Json::parse(l));
    }
    return out;
  }
  std::unique_ptr<AlertStore> Alerts() {
    auto s = AlertStore::Open(dir_.File("home") + "/phiguard.db");
    EXPECT_TRUE(s.ok()) << s.status();
    return std::move(*s);
  }

  testing_util::ScopedTempDir dir_;
  std::string all_output_;
};

TEST_F(AuditWatchTest, WatchStoresAlertsOnceAndTheirEventsAreProvable) {
  CliRun first = Cli(Watch());
  ASSERT_EQ(first.code, 0) << first.err;
  std::vector<Json> alerts = Lines(first.out);
  std::set<std::string> rules;
  for (const Json& a : alerts) rules.insert(a["rule"].get<std::string>());
  EXPECT_EQ(rules, (std::set<std::string>{"break_glass", "flagged_record", "ai_vendor_baa"}))
      << first.out;
  // The second pass has nothing new to judge and stores nothing twice.
  CliRun second = Cli(Watch());
  ASSERT_EQ(second.code, 0) << second.err;
  EXPECT_TRUE(Lines(second.out).empty()) << second.out;
  CliRun listed = Cli("audit alerts --json");
  ASSERT_EQ(listed.code, 0) << listed.err;
  Json all = Json::parse(listed.out);
  ASSERT_EQ(all.size(), alerts.size());
  // Every linked event has an inclusion proof.
  for (const Json& a : all) {
    ASSERT_FALSE(a["seqs"].empty());
    for (uint64_t seq : a["seqs"]) {
      CliRun proof = Cli("audit prove --index " + std::to_string(seq));
      ASSERT_EQ(proof.code, 0) << proof.err;
      EXPECT_EQ(Json::parse(proof.out)["index"], seq);
    }
  }
  CliRun table = Cli("audit alerts --rule break_glass");
  ASSERT_EQ(table.code, 0);
  EXPECT_NE(table.out.find("u:ann"), std::string::npos) << table.out;
  EXPECT_EQ(table.out.find("ai_vendor_baa"), std::string::npos) << table.out;
  // A new event is judged on the next pass, with the history as context.
  testing_util::WriteFile(dir_.File("more.jsonl"),
                          R"({"time":"2026-03-02T12:30:00Z","actor":{"id":"u:bo"},"action":"break_glass","outcome":"success"})"
                          "\n");
  ASSERT_EQ(Cli("audit append " + dir_.File("more.jsonl")).code, 0);
  std::vector<Json> third = Lines(Cli(Watch()).out);
  ASSERT_EQ(third.size(), 1u);
  EXPECT_EQ(third[0]["rule"], "break_glass");
  EXPECT_EQ(third[0]["seqs"], Json::array({4}));
  EXPECT_EQ(all_output_.find("CANARY"), std::string::npos) << all_output_;
}

TEST_F(AuditWatchTest, WebhookReceivesEachAlertAsJson) {
  WebhookServer server;
  CliRun r = Cli(Watch("--webhook " + server.Url()));
  ASSERT_EQ(r.code, 0) << r.err;
  const size_t n = Lines(r.out).size();
  ASSERT_GT(n, 0u);
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), n);
  std::set<std::string> rules;
  for (const auto& req : requests) {
    EXPECT_EQ(req.method, "POST");
    EXPECT_EQ(req.target, "/hooks/phiguard");
    EXPECT_EQ(req.content_type, "application/json");
    Json body = Json::parse(req.body);
    rules.insert(body["rule"].get<std::string>());
    EXPECT_TRUE(body["seqs"].is_array());
    EXPECT_TRUE(body.contains("severity") && body.contains("identity") && body.contains("time"));
    EXPECT_EQ(req.body.find("CANARY"), std::string::npos) << req.body;
  }
  EXPECT_TRUE(rules.count("break_glass"));
  AlertStore::Filter undelivered;
  undelivered.undelivered_only = true;
  EXPECT_TRUE(Alerts()->List(undelivered)->empty());
}

TEST_F(AuditWatchTest, FailingWebhookKeepsAlertsUndeliveredUntilItRecovers) {
  WebhookServer server;
  server.set_status(500);
  CliRun r = Cli(Watch("--webhook " + server.Url() + " --webhook-attempts 2 --webhook-backoff-ms 0"));
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.err.find("HTTP 500"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("/hooks"), std::string::npos) << "the URL path may hold a token: " << r.err;
  EXPECT_EQ(server.requests().size(), 2u) << "bounded retries, then stop for this pass";
  const size_t n = Lines(r.out).size();
  ASSERT_GT(n, 0u);
  CliRun pending = Cli("audit alerts --undelivered --json");
  ASSERT_EQ(Json::parse(pending.out).size(), n);
  EXPECT_EQ(Json::parse(pending.out).back()["delivery_attempts"], 1);

  server.set_status(200);
  CliRun again = Cli(Watch("--webhook " + server.Url()));
  EXPECT_EQ(again.code, 0) << again.err;
  EXPECT_TRUE(Lines(again.out).empty()) << "no new alerts, only deliveries";
  EXPECT_EQ(server.requests().size(), 2u + n);
  EXPECT_EQ(Json::parse(Cli("audit alerts --undelivered --json").out).size(), 0u);
}

TEST_F(AuditWatchTest, BadInputIsRefusedClearly) {
  CliRun url = Cli(Watch("--webhook http://example.com/hook"));
  EXPECT_EQ(url.code, 2) << url.err;
  EXPECT_NE(url.err.find("127.0.0.1"), std::string::npos) << url.err;
  testing_util::WriteFile(dir_.File("bad.yaml"), "vendors:\n  acme: {covered: [NAME]}\n");
  CliRun bad = Cli("audit watch --config '" + dir_.File("bad.yaml") + "'");
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("bad.yaml:2"), std::string::npos) << bad.err;
  EXPECT_EQ(Cli("audit alerts --rule nope").code, 2);
  // Nothing was judged by the refused runs.
  EXPECT_EQ(*Alerts()->WatchedEnd(), 0u);
}

// ---- library pieces ------------------------------------------------------------------------------

TEST(AuditWatchWebhook, UrlsArePlainHttpOnlyToLoopback) {
  EXPECT_TRUE(CheckWebhookUrl("http://127.0.0.1:8080/x").ok());
  EXPECT_TRUE(CheckWebhookUrl("http://[::1]:8080/").ok());
  EXPECT_TRUE(CheckWebhookUrl("https://siem.example.org/hook?token=abc").ok());
  EXPECT_EQ(CheckWebhookUrl("http://10.0.0.5/hook").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckWebhookUrl("ftp://host/").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckWebhookUrl("https://user:pw@host/").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckWebhookUrl("https://host:99999/").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckWebhookUrl("https://host/a b").code(), StatusCode::kInvalidArgument);
}

TEST(AuditWatchWebhook, ClosedPortFailsAfterBoundedAttempts) {
  unsigned short port;
  {
    net::io_context ioc;
    tcp::acceptor a(ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    port = a.local_endpoint().port();
  }  // closed again: connections are refused
  WebhookOptions o;
  o.max_attempts = 3;
  o.backoff_ms = 0;
  absl::Status s = PostJson("http://127.0.0.1:" + std::to_string(port) + "/x", "{}", o);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s;
  EXPECT_NE(s.message().find("3 attempts"), std::string_view::npos) << s;
}

TEST(AuditWatchWebhook, ClientErrorsAreNotRetried) {
  WebhookServer server;
  server.set_status(400);
  WebhookOptions o;
  o.backoff_ms = 0;
  EXPECT_EQ(PostJson(server.Url(), "{}", o).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(AuditWatchStore, RecordStoresEachFindingOnceAndNeverMovesBack) {
  testing_util::ScopedTempDir dir;
  auto store = AlertStore::Open(dir.File("a.db"));
  ASSERT_TRUE(store.ok()) << store.status();
  Alert a;
  a.rule = "break_glass";
  a.identity = "u:x";
  a.explanation = "test";
  a.seqs = {3, 4};
  a.dedup_key = "break_glass|u:x|2026-03-02";
  auto ids = (*store)->Record({a}, 10);
  ASSERT_TRUE(ids.ok()) << ids.status();
  EXPECT_EQ(ids->size(), 1u);
  EXPECT_TRUE((*store)->Record({a}, 5)->empty());
  EXPECT_EQ(*(*store)->WatchedEnd(), 10u);
  auto got = (*store)->Get((*ids)[0]);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->alert.seqs, (std::vector<uint64_t>{3, 4}));
  EXPECT_FALSE(got->delivered);
  EXPECT_EQ((*store)->MarkDelivery(999, true, "").code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace phiguard::audit
