// Thread-safe holder of a flow's latest status: written by its record thread, read by HTTP.
#pragma once

#include <mutex>
#include <string>

#include "mirror/flow/status.h"

namespace mirror::flow {

class StatusBoard {
 public:
  void publish(FlowStatus status);
  // Sets the state; a state other than running clears the partitions.
  void set_state(State state, std::string last_error = {});
  FlowStatus snapshot() const;

 private:
  mutable std::mutex mutex_;
  FlowStatus status_;
};

}  // namespace mirror::flow
