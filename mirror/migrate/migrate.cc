#include "mirror/migrate/migrate.h"

namespace mirror::migrate {

Result<Migration> migrate_mm2(std::string_view text, const std::string& file);
Result<Migration> migrate_strimzi(std::string_view text, const std::string& file);
Result<Migration> migrate_aiven(std::string_view text, const std::string& file);

Result<Migration> migrate(From from, std::string_view text, const std::string& file) {
  switch (from) {
    case From::Mm2:
      return migrate_mm2(text, file);
    case From::Strimzi:
      return migrate_strimzi(text, file);
    case From::Aiven:
      return migrate_aiven(text, file);
  }
  return Error{"unknown source format"};
}

}  // namespace mirror::migrate
