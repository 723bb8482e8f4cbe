// What the service's configuration is read from, fingerprinted, so a reload can tell when it
// changed on disk: an edited file, a flow file added to or removed from a --flows directory, a
// Kubernetes ConfigMap update (the mounted names are symlinks into a directory the kubelet swaps
// atomically; reading through them, as loading does, sees the new content).
#pragma once

#include <string>
#include <vector>

namespace mirror::service {

// A hash (16 hex digits, FNV-1a 64) of each file's name and content, in order. A file that
// cannot be read contributes its error instead, so it changes the fingerprint too. Not
// cryptographic: it only tells one version of the configuration from another.
std::string fingerprint(const std::vector<std::string>& files);

}  // namespace mirror::service
