// The librdkafka side of validation: every client the configuration would create (each flow's
// source consumer, target producer and control clients), built with the same property builder as
// at run time (kafka/client_properties.h), without connecting. `validate` and `run` refuse a
// property librdkafka refuses (an unknown name, a bad value) at the line that set it.
#pragma once

#include <string>
#include <vector>

#include "mirror/config/loader.h"
#include "mirror/config/spec.h"

namespace mirror::service {

std::vector<config::Diagnostic> client_property_problems(const config::ServiceSpec& spec);

// config::load() plus client_property_problems(): what `validate`, `run` and a reload check.
config::LoadOutcome load_checked(const std::string& config_file,
                                 const std::vector<std::string>& flow_paths);

}  // namespace mirror::service
