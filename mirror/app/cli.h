// The command line: `mirror run|validate|az|demo|ctl`, `--version`, `--help`.
#pragma once

namespace mirror::app {

// Exit codes (product contract).
enum Exit : int { kOk = 0, kUsage = 1, kInvalidConfig = 2, kAzUnresolved = 3, kRuntimeFailure = 4 };

int main(int argc, char** argv);

}  // namespace mirror::app
