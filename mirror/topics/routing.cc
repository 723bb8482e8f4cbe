#include "mirror/topics/routing.h"

namespace mirror::topics {

std::vector<std::string> Routing::topics() const {
  std::vector<std::string> out;
  out.reserve(routes.size());
  for (const auto& [name, route] : routes) out.push_back(name);
  return out;
}

const Route* Routing::route(const std::string& source_topic) const {
  auto it = routes.find(source_topic);
  return it == routes.end() ? nullptr : &it->second;
}

}  // namespace mirror::topics
