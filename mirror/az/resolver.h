// Node availability-zone resolution: a literal (--availability-zone flag or config), or the first
// answer of the configured sources (env, file, kubernetes, aws, gcp, azure). See
// docs/availability-zones.md for what each source reads and what to grant it.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mirror/common/result.h"
#include "mirror/config/spec.h"

namespace mirror::az {

// Either field may be empty, not both. AWS gives both (id "use1-az1", name "us-east-1a"), and so
// does the kubernetes source on a node labelled topology.k8s.aws/zone-id; every other source, and
// a literal, fills both with the same string.
struct Zone {
  std::string id;
  std::string name;
};

struct Resolution {
  std::optional<Zone> zone;  // empty when nothing answered
  std::string source;        // "flag", "config", or the name of the source that answered
  std::vector<std::string>
      failures;  // "aws: connect timeout after 500 ms", one per source that did not answer
  std::string display() const;  // the zone to show: id if set, else name; "" without a zone
};

// The value to send as client.rack: ZoneId -> id (name when only the name is known),
// ZoneName -> name (id when only the id is known).
std::string rack_for(const Zone& zone, config::RackIdFormat format);

// True when text is a usable AZ string: [A-Za-z0-9][A-Za-z0-9._-]{0,62}.
bool is_valid_zone(std::string_view text);

class Source;
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
using SourceFactory = std::function<std::unique_ptr<Source>(const std::string&)>;

struct Options {
  // Per HTTP connection attempt, and per source for everything it does (all its requests).
  std::chrono::milliseconds connect_timeout{500};
  std::chrono::milliseconds total_timeout{1500};
  EnvLookup env;                 // empty: std::getenv
  SourceFactory source_factory;  // empty: make_source
};

// A pluggable source. lookup() must return within about options.total_timeout, never throw, and
// never put a credential (service-account token, IMDS token) into its error message.
class Source {
 public:
  virtual ~Source() = default;
  virtual std::string name() const = 0;
  virtual Result<Zone> lookup(const Options& options) = 0;
};

// env, file, kubernetes, aws, gcp, azure; nullptr for any other name.
std::unique_ptr<Source> make_source(const std::string& name);

// The names make_source knows, in the default order.
const std::vector<std::string>& source_names();

// flag_az (the --availability-zone value) wins when given; else a literal
// NodeSpec::availability_zone (anything but "auto" or ""), source "config"; else the sources in
// node.availability_zone_sources order, first answer wins. An invalid flag or literal gives no
// zone and one failure line (it does not fall back to discovery). Worst case duration is about
// total_timeout per network source tried.
Resolution resolve(const config::NodeSpec& node, const std::optional<std::string>& flag_az,
                   const Options& options = {});

}  // namespace mirror::az
