// phiguard: de-identify and protect PHI. See `phiguard --help` and docs/.
#include <cstdio>
#include <cstdlib>

#include "commands.h"

int main(int argc, char** argv) {
  using namespace phiguard::cli;
  CLI::App app{
      "phiguard - find and remove protected health information (PHI) before data reaches AI.\n\n"
      "Examples:\n"
      "  phiguard detect notes.txt\n"
      "  phiguard deid text --profile safe-harbor -o clean.jsonl notes.jsonl\n"
      "  phiguard eval physionet --text id.text --gold id-phi.phrase\n",
      "phiguard"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "phiguard 0.1.0");
  GlobalOptions global;
  const char* home = std::getenv("PHIGUARD_HOME");
  const char* user_home = std::getenv("HOME");
  global.home = home != nullptr ? home
                                : std::string(user_home != nullptr ? user_home : ".") +
                                      "/.local/share/phiguard";
  app.add_option("--home", global.home, "State directory (keys, audit log); env PHIGUARD_HOME")
      ->capture_default_str();
  app.add_option("--data-dir", global.data_dir,
                 "Lexicon data directory; env PHIGUARD_DATA_DIR (default: bundled data/)");
  RegisterDetect(app, global);
  RegisterDeid(app, global);
  RegisterEval(app, global);
  RegisterKeygen(app, global);
  RegisterKeys(app, global);
  RegisterCrypto(app, global);
  RegisterCerts(app, global);
  RegisterRisk(app, global);
  RegisterAudit(app, global);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  } catch (const CommandError& e) {
    std::fprintf(stderr, "phiguard: %s\n", e.message.c_str());
    return e.code;
  }
  return 0;
}
