#include "mirror/flow/status.h"

namespace mirror::flow {

const char* to_string(State state) {
  switch (state) {
    case State::Starting:
      return "starting";
    case State::Running:
      return "running";
    case State::Paused:
      return "paused";
    case State::Retrying:
      return "retrying";
    case State::Failed:
      return "failed";
    case State::Stopping:
      return "stopping";
    case State::Stopped:
      return "stopped";
    case State::Disabled:
      return "disabled";
    case State::Stalled:
      return "stalled";
  }
  return "unknown";
}

const char* to_string(FetchMode mode) {
  switch (mode) {
    case FetchMode::Follower:
      return "follower";
    case FetchMode::LeaderFallback:
      return "leader-fallback";
    case FetchMode::Leader:
      return "leader";
  }
  return "unknown";
}

}  // namespace mirror::flow
