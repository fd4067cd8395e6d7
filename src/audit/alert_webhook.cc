// Webhook delivery with Boost.Beast (see alert_webhook.h). Operations are asynchronous only so
// that the stream's deadline (tcp_stream::expires_after) bounds each attempt; each step runs the
// io_context to completion before the next.
#include "phiguard/audit/alert_webhook.h"

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <thread>

#ifdef PHIGUARD_WITH_TLS
#include <openssl/ssl.h>

#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>
#endif

#include "phiguard/core/strings.h"

namespace phiguard::audit {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct Url {
  bool tls = false;
  std::string host;  // without brackets
  std::string port;
  std::string target;
};

absl::StatusOr<Url> ParseUrl(std::string_view url) {
  Url u;
  std::string_view rest;
  if (url.starts_with("https://")) {
    u.tls = true;
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else {
    return absl::InvalidArgumentError("webhook URL must start with https:// (or http:// to loopback)");
  }
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError("webhook URL contains spaces or control characters");
    }
  }
  const size_t slash = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, slash);
  u.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (u.target[0] != '/') u.target = "/" + u.target;
  if (authority.find('@') != std::string_view::npos) {
    return absl::InvalidArgumentError("webhook URL must not carry user:password@");
  }
  std::string_view port;
  if (authority.starts_with("[")) {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return absl::InvalidArgumentError("webhook URL: bad IPv6 host");
    u.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return absl::InvalidArgumentError("webhook URL: bad port");
      port = after.substr(1);
    }
  } else {
    const size_t colon = authority.rfind(':');
    u.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (u.host.empty()) return absl::InvalidArgumentError("webhook URL has no host");
  uint32_t p = u.tls ? 443 : 80;
  if (!port.empty() && (!ParseNumber(port, p) || p == 0 || p > 65535)) {
    return absl::InvalidArgumentError("webhook URL: port must be 1-65535");
  }
  u.port = std::to_string(p);
  if (!u.tls && u.host != "127.0.0.1" && u.host != "::1" && u.host != "localhost") {
    return absl::InvalidArgumentError(
        "plain http webhooks are allowed only to 127.0.0.1, [::1] or localhost; use https");
  }
  return u;
}

// Runs one asynchronous operation to completion; its error (or the deadline's) comes back.
template <typename Start>
beast::error_code Await(net::io_context& ioc, Start start) {
  beast::error_code result = net::error::operation_aborted;
  bool done = false;
  start([&](beast::error_code ec, auto&&...) {
    result = ec;
    done = true;
  });
  ioc.restart();
  ioc.run();
  if (!done) return net::error::timed_out;
  return result;
}

// One POST on a connected stream; the HTTP status or a network error.
template <typename Stream>
absl::StatusOr<unsigned> Exchange(net::io_context& ioc, Stream& stream, const Url& u,
                                  const std::string& json) {
  http::request<http::string_body> req{http::verb::post, u.target, 11};
  req.set(http::field::host, u.host.find(':') != std::string::npos ? "[" + u.host + "]" : u.host);
  req.set(http::field::user_agent, "phiguard-audit-watch");
  req.set(http::field::content_type, "application/json");
  req.set(http::field::connection, "close");
  req.body() = json;
  req.prepare_payload();
  beast::error_code ec = Await(ioc, [&](auto h) { http::async_write(stream, req, h); });
  if (ec) return absl::UnavailableError(Cat("sending: ", ec.message()));
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024);
  ec = Await(ioc, [&](auto h) { http::async_read(stream, buffer, parser, h); });
  if (ec) return absl::UnavailableError(Cat("reading the answer: ", ec.message()));
  return parser.get().result_int();
}

absl::StatusOr<unsigned> PostOnce(const Url& u, const std::string& json,
                                  const WebhookOptions& options) {
  net::io_context ioc;
  tcp::resolver resolver(ioc);
  beast::error_code ec;
  const tcp::resolver::results_type endpoints = resolver.resolve(u.host, u.port, ec);
  if (ec) return absl::UnavailableError(Cat("resolving: ", ec.message()));
  const auto deadline = std::chrono::milliseconds(options.timeout_ms);
  if (!u.tls) {
    beast::tcp_stream stream(ioc);
    stream.expires_after(deadline);
    ec = Await(ioc, [&](auto h) { stream.async_connect(endpoints, h); });
    if (ec) return absl::UnavailableError(Cat("connecting: ", ec.message()));
    absl::StatusOr<unsigned> code = Exchange(ioc, stream, u, json);
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    return code;
  }
#ifdef PHIGUARD_WITH_TLS
  net::ssl::context ctx(net::ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
  ctx.set_verify_mode(net::ssl::verify_peer, ec);
  if (!ec) {
    if (options.ca_file.empty()) {
      ctx.set_default_verify_paths(ec);
    } else {
      ctx.load_verify_file(options.ca_file, ec);
    }
  }
  if (ec) return absl::InvalidArgumentError(Cat("webhook TLS trust store: ", ec.message()));
  beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
  if (SSL_set_tlsext_host_name(stream.native_handle(), u.host.c_str()) != 1 ||
      SSL_set1_host(stream.native_handle(), u.host.c_str()) != 1) {
    return absl::InternalError("webhook TLS: cannot set the server name");
  }
  beast::get_lowest_layer(stream).expires_after(deadline);
  ec = Await(ioc, [&](auto h) { beast::get_lowest_layer(stream).async_connect(endpoints, h); });
  if (ec) return absl::UnavailableError(Cat("connecting: ", ec.message()));
  ec = Await(ioc, [&](auto h) { stream.async_handshake(net::ssl::stream_base::client, h); });
  if (ec) return absl::UnavailableError(Cat("TLS handshake: ", ec.message()));
  absl::StatusOr<unsigned> code = Exchange(ioc, stream, u, json);
  beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_both, ec);
  return code;
#else
  (void)json;
  return absl::UnimplementedError(
      "https webhooks need phiguard built with PHIGUARD_WITH_TLS (libssl)");
#endif
}

}  // namespace

absl::Status CheckWebhookUrl(std::string_view url) { return ParseUrl(url).status(); }

absl::Status PostJson(const std::string& url, const std::string& json,
                      const WebhookOptions& options) {
  absl::StatusOr<Url> u = ParseUrl(url);
  if (!u.ok()) return u.status();
  const std::string where = Cat("webhook ", u->host, ":", u->port);
  std::string last;
  const int attempts = std::max(options.max_attempts, 1);
  for (int k = 1; k <= attempts; ++k) {
    if (k > 1) {
      std::this_thread::sleep_for(std::chrono::milliseconds(
          static_cast<int64_t>(std::max(options.backoff_ms, 0)) << std::min(k - 2, 16)));
    }
    absl::StatusOr<unsigned> code;
    try {
      code = PostOnce(*u, json, options);
    } catch (const std::exception& e) {
      code = absl::UnavailableError(Cat("network error: ", e.what()));
    }
    if (!code.ok()) {
      if (code.status().code() == absl::StatusCode::kUnimplemented ||
          code.status().code() == absl::StatusCode::kInvalidArgument) {
        return absl::Status(code.status().code(), Cat(where, ": ", code.status().message()));
      }
      last = std::string(code.status().message());
      continue;
    }
    if (*code >= 200 && *code < 300) return absl::OkStatus();
    last = Cat("answered HTTP ", *code);
    if (*code >= 400 && *code < 500 && *code != 408 && *code != 429) {
      return absl::FailedPreconditionError(Cat(where, " ", last, " (not retried)"));
    }
  }
  return absl::UnavailableError(Cat(where, ": ", last, " after ", attempts, " attempts"));
}

absl::StatusOr<DeliveryReport> DeliverPending(AlertStore& store, const std::string& url,
                                              const WebhookOptions& options) {
  AlertStore::Filter filter;
  filter.undelivered_only = true;
  absl::StatusOr<std::vector<StoredAlert>> pending = store.List(filter);
  if (!pending.ok()) return pending.status();
  std::reverse(pending->begin(), pending->end());  // oldest first
  DeliveryReport report;
  for (const StoredAlert& a : *pending) {
    absl::Status sent = PostJson(url, AlertToJson(a), options);
    const std::string error = sent.ok() ? "" : std::string(sent.message());
    absl::Status marked = store.MarkDelivery(a.id, sent.ok(), error);
    if (!marked.ok()) return marked;
    if (!sent.ok()) {
      report.failed = 1;
      report.last_error = error;
      break;
    }
    ++report.delivered;
  }
  return report;
}

}  // namespace phiguard::audit
