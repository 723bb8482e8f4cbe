#include "mirror/kafka/shared_clients.h"

#include <utility>

namespace mirror::kafka {
namespace {

// What makes two leases one client: every property but a client.id mirror chose. Holds secret
// values (two passwords are two clients); it stays in memory, never in a log.
std::string key(const ClientProperties& properties) {
  std::string out;
  for (const auto& [name, value] : properties.values) {
    if (name == "client.id" && properties.locations.count(name) == 0) continue;
    out.append(name).append(1, '\0').append(value).append(1, '\0');
  }
  return out;
}

}  // namespace

Result<std::shared_ptr<SourceControlClient>> SourceControlClient::create(
    const ClientProperties& properties) {
  std::shared_ptr<SourceControlClient> client(new SourceControlClient());
  auto handle =
      properties.create(ClientType::Consumer, client->security_.get(), [](rd_kafka_conf_t* conf) {
        rd_kafka_conf_set_error_cb(conf, [](rd_kafka_t* rk, int err, const char* reason, void* op) {
          static_cast<SecurityErrors*>(op)->note(error_of(rk, err, reason));
        });
      });
  if (!handle.ok()) return handle.error();
  client->handle_ = std::move(handle.value());
  return client;
}

SourceControlClient::~SourceControlClient() {
  // Never subscribed: nothing to close.
  if (handle_) rd_kafka_destroy_flags(handle_.release(), RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
}

Result<std::shared_ptr<SourceControlClient>> SharedClients::source_control(
    const std::string& cluster, const ClientProperties& properties) {
  const std::string k = key(properties);
  std::lock_guard lock(mutex_);
  if (auto alive = clients_[k].lock()) return alive;
  ClientProperties own = properties;
  own.flow.clear();  // the cluster's client: its log lines are about no one flow
  if (own.locations.count("client.id") == 0)
    own.values["client.id"] = "mirror-" + cluster + "-control";
  auto client = SourceControlClient::create(own);
  if (!client.ok()) return client.error();
  clients_[k] = client.value();
  // Entries of clients gone are dropped here, as new ones come.
  for (auto it = clients_.begin(); it != clients_.end();) {
    it = it->second.expired() ? clients_.erase(it) : std::next(it);
  }
  return client;
}

size_t SharedClients::alive() const {
  std::lock_guard lock(mutex_);
  size_t n = 0;
  for (const auto& [k, client] : clients_) n += client.expired() ? 0 : 1;
  return n;
}

}  // namespace mirror::kafka
