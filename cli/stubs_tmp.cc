#include "commands.h"
namespace phiguard::cli {
void RegisterDetect(CLI::App&, const GlobalOptions&) {}
void RegisterDeid(CLI::App&, const GlobalOptions&) {}
void RegisterKeygen(CLI::App&, const GlobalOptions&) {}
}
