#include "phiguard/crypto/crypto_audit.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "phiguard/core/strings.h"

namespace phiguard::crypto {

std::string CryptoEventToJson(const CryptoEvent& e) {
  nlohmann::ordered_json j;
  j["time_us"] = e.time_unix_micros;
  j["actor"] = e.actor;
  j["op"] = e.operation;
  j["key"] = e.key;
  j["version"] = e.key_version;
  j["object"] = e.object_id;
  j["outcome"] = e.outcome;
  if (!e.detail.empty()) j["detail"] = e.detail;
  // Replace invalid UTF-8 instead of throwing: identities and object ids come from callers.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

absl::StatusOr<std::unique_ptr<JsonlCryptoAuditSink>> JsonlCryptoAuditSink::Open(
    const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    const int err = errno;
    std::string msg = Cat(path, ": cannot open the crypto audit log: ", std::strerror(err));
    return err == EACCES ? absl::PermissionDeniedError(msg) : absl::UnavailableError(msg);
  }
  return std::unique_ptr<JsonlCryptoAuditSink>(new JsonlCryptoAuditSink(fd, path));
}

JsonlCryptoAuditSink::~JsonlCryptoAuditSink() { ::close(fd_); }

absl::Status JsonlCryptoAuditSink::Record(const CryptoEvent& event) {
  std::string line = CryptoEventToJson(event);
  line.push_back('\n');
  std::lock_guard<std::mutex> lock(mu_);
  // One write() of the whole line: O_APPEND makes it atomic with respect to other appenders.
  size_t done = 0;
  while (done < line.size()) {
    ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return absl::UnavailableError(Cat(path_, ": cannot append to the crypto audit log"));
    done += static_cast<size_t>(n);
  }
  if (::fdatasync(fd_) != 0) {
    return absl::UnavailableError(Cat(path_, ": cannot sync the crypto audit log"));
  }
  return absl::OkStatus();
}

absl::Status MemoryCryptoAuditSink::Record(const CryptoEvent& event) {
  std::lock_guard<std::mutex> lock(mu_);
  if (fail_) return absl::UnavailableError("audit sink unavailable (test)");
  events_.push_back(event);
  return absl::OkStatus();
}

std::vector<CryptoEvent> MemoryCryptoAuditSink::events() const {
  std::lock_guard<std::mutex> lock(mu_);
  return events_;
}

void MemoryCryptoAuditSink::set_fail(bool fail) {
  std::lock_guard<std::mutex> lock(mu_);
  fail_ = fail;
}

}  // namespace phiguard::crypto
