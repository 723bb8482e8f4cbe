// What librdkafka tells only a client's error callback: a broker connection that failed to
// authenticate (SASL: wrong credentials, a mechanism the broker does not offer), to complete its
// TLS handshake (an unknown CA, a client certificate the broker refuses, a key that cannot be
// decrypted) or to be authorized. The request that waited for that connection then fails with a
// plain "Local: Broker transport failure" or a timeout, which reads as the weather of a network
// and is retried within seconds. A SecurityErrors kept beside a client remembers the last such
// error its error callback reported, so a failed call on that client can report the real cause:
// non-retriable, in librdkafka's own words (which never hold a credential).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "mirror/common/result.h"
#include "mirror/kafka/admin.h"
#include "mirror/kafka/record.h"

namespace mirror::kafka {

// librdkafka's text without the suffix that changes from one report to the next ("(after 5ms in
// state AUTH_REQ, 2 identical error(s) suppressed)"), so the same failure reads the same way.
std::string without_timing_suffix(std::string message);

// Thread-safe: note() comes from whichever thread serves the client's callbacks, the rest from
// the client's owner.
class SecurityErrors {
 public:
  // Keeps `error` when is_security_error(error.code) (errors.h) and it is not fatal; ignores the
  // others.
  void note(const ClientError& error);
  // Forgets the noted error (a call went through: the client is connected and logged in).
  void clear();
  // The last security error noted since the last clear(), its text as without_timing_suffix.
  std::optional<ClientError> last() const;

  // `error` as the caller should report it: when it is connection trouble (is_connection_trouble)
  // and a security error is noted, that error's text and code, not retriable, followed by what
  // the call itself said in parentheses; otherwise `error` unchanged.
  Error explain(const Error& error) const;

 private:
  mutable std::mutex mutex_;
  std::optional<ClientError> last_;
};

// `admin` with its failures explained by `errors`: a failed call whose error is connection
// trouble reports the noted security error instead (SecurityErrors::explain); a call that
// succeeds clears `errors`. `serve` (may be empty) runs
// before a failure is explained: it serves the client's pending callbacks (a poll without
// waiting), since the error callback of the failure that ended the call is usually still queued.
// `errors` must outlive the returned admin.
std::unique_ptr<ClusterAdmin> explain_security_errors(std::unique_ptr<ClusterAdmin> admin,
                                                      SecurityErrors& errors,
                                                      std::function<void()> serve);

}  // namespace mirror::kafka
