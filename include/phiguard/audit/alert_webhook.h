// Sends stored alerts to a webhook: one HTTP POST of the alert's JSON (AlertToJson) per alert,
// over HTTPS (Boost.Beast on OpenSSL, peer certificate and host name verified, TLS 1.2+) or, for
// local relays and tests only, plain HTTP to a loopback address. A bounded number of attempts with
// exponential backoff; an alert the endpoint has not acknowledged with a 2xx status stays stored
// and undelivered (AlertStore) and is retried on the next pass. Error messages name the host,
// never the URL path or query (webhook URLs often carry a secret token).
//
// Availability: https needs the library built with PHIGUARD_WITH_TLS (libssl linked, see
// crypto/tls.h); without it an https URL is Unimplemented.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "phiguard/audit/alert_store.h"

namespace phiguard::audit {

struct WebhookOptions {
  int max_attempts = 3;     // POSTs per alert before giving up for this pass
  int timeout_ms = 5000;    // each attempt: connect, TLS handshake, request and answer
  int backoff_ms = 500;     // wait before retry k: backoff_ms * 2^(k-1)
  std::string ca_file;      // https: trust these CAs (PEM file) instead of the system store
};

// InvalidArgument unless `url` is https://host[:port][/path] or http:// to 127.0.0.1, [::1] or
// localhost; no user:password@ part.
absl::Status CheckWebhookUrl(std::string_view url);

// POSTs `json` to `url`, retrying per `options`. Ok on a 2xx answer; Unavailable (naming the host
// and the last HTTP status or network error) after the last attempt; a 4xx answer other than 408
// and 429 is not retried (FailedPrecondition).
absl::Status PostJson(const std::string& url, const std::string& json,
                      const WebhookOptions& options);

struct DeliveryReport {
  int delivered = 0;
  int failed = 0;   // alerts whose delivery failed this pass (still stored, undelivered)
  std::string last_error;
};

// Delivers the undelivered alerts in `store`, oldest first, recording each result. Stops at the
// first alert that cannot be delivered (the endpoint is likely down); the rest wait for the next
// pass. Errors only for store failures.
absl::StatusOr<DeliveryReport> DeliverPending(AlertStore& store, const std::string& url,
                                              const WebhookOptions& options);

}  // namespace phiguard::audit
