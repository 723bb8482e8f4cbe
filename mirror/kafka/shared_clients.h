// Source control clients shared by the flows of one process (issue 16: cost as the work grows).
//
// Every flow's control thread needs a client of its source cluster for metadata and the Admin API
// (topics/syncer.h, mm2/duties.h): a librdkafka handle with a thread per broker and one per
// bootstrap address, its connections and buffers. Fifty flows from one source had fifty such
// clients; the calls they make are independent requests on a thread-safe handle, so flows whose
// source control properties are the same (client.id aside, unless the user set it) lease one.
//
// A lease keeps its client alive; the last lease to go destroys it (without a consumer close: it
// never joins a group). The client's error callback notes security errors (TLS, SASL,
// authorization) in the client's SecurityErrors, which every lease explains its failed calls with:
// they are the cluster's, not one flow's. Polling the handle (rd_kafka_poll, to serve those
// callbacks) is done by every leaseholder's thread alike.
//
// Threads: lease() and the leases' release may happen on any thread.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "mirror/common/result.h"
#include "mirror/kafka/client_properties.h"
#include "mirror/kafka/handles.h"
#include "mirror/kafka/security_errors.h"

namespace mirror::kafka {

class SourceControlClient {
 public:
  // A client of its own (no registry): what a flow without a SharedClients uses.
  static Result<std::shared_ptr<SourceControlClient>> create(const ClientProperties& properties);
  ~SourceControlClient();
  SourceControlClient(const SourceControlClient&) = delete;
  SourceControlClient& operator=(const SourceControlClient&) = delete;

  rd_kafka_t* handle() const { return handle_.get(); }
  SecurityErrors& security() { return *security_; }

 private:
  SourceControlClient() = default;
  // Member order: the handle goes first, its error callback writes into security_.
  std::unique_ptr<SecurityErrors> security_ = std::make_unique<SecurityErrors>();
  HandlePtr handle_;
};

class SharedClients {
 public:
  // The source control client of these properties: the one another flow leased if it is still
  // alive, else a new one (its client.id `mirror-<cluster>-control` unless the user set one).
  // Errors are the client's creation errors (a property librdkafka refuses), not retriable.
  Result<std::shared_ptr<SourceControlClient>> source_control(const std::string& cluster,
                                                              const ClientProperties& properties);
  // Source control clients alive now (for tests and the bench).
  size_t alive() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::weak_ptr<SourceControlClient>> clients_;  // by key()
};

}  // namespace mirror::kafka
