// Thin entry point: parse options and hand over to the app component.
#include "mirror/app/cli.h"

int main(int argc, char** argv) {
  return mirror::app::main(argc, argv);
}
