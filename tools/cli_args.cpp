#include "cli_args.h"

#include <charconv>
#include <cmath>
#include <iostream>

namespace smolvlm::cli {

ArgParser::ArgParser(std::string command, std::string usage, std::string summary)
    : command_(std::move(command)), usage_(std::move(usage)), summary_(std::move(summary)) {}

ArgParser& ArgParser::option(const std::string& name, const std::string& value_name, const std::string& help,
                             bool repeatable) {
  specs_.push_back({name, value_name, help, true, repeatable});
  return *this;
}

ArgParser& ArgParser::flag(const std::string& name, const std::string& help) {
  specs_.push_back({name, "", help, false, false});
  return *this;
}

const ArgParser::Spec* ArgParser::find(const std::string& name) const {
  for (const Spec& s : specs_)
    if (s.name == name) return &s;
  return nullptr;
}

bool ArgParser::parse(int argc, char** argv, int first) {
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << help_text();
      return false;
    }
    if (arg.rfind("--", 0) != 0) throw UsageError(command_ + ": unexpected argument \"" + arg + "\"");
    std::string name = arg.substr(2), value;
    bool inline_value = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      inline_value = true;
    }
    const Spec* spec = find(name);
    if (spec == nullptr) throw UsageError(command_ + ": unknown option --" + name);
    if (!spec->takes_value) {
      if (inline_value) throw UsageError(command_ + ": --" + name + " takes no value");
      values_[name].push_back("");
      continue;
    }
    if (!inline_value) {
      if (i + 1 >= argc) throw UsageError(command_ + ": --" + name + " needs a value (" + spec->value_name + ")");
      value = argv[++i];
    }
    if (!spec->repeatable && values_.count(name)) throw UsageError(command_ + ": --" + name + " given twice");
    values_[name].push_back(value);
  }
  return true;
}

bool ArgParser::has(const std::string& name) const { return values_.count(name) != 0; }

std::optional<std::string> ArgParser::get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second.back();
}

std::string ArgParser::require(const std::string& name) const {
  auto v = get(name);
  if (!v) throw UsageError(command_ + ": --" + name + " is required");
  return *v;
}

std::vector<std::string> ArgParser::all(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

std::optional<int64_t> ArgParser::get_int(const std::string& name) const {
  auto v = get(name);
  if (!v) return std::nullopt;
  int64_t out = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || end != v->data() + v->size())
    throw UsageError(command_ + ": --" + name + " expects an integer, got \"" + *v + "\"");
  return out;
}

std::optional<double> ArgParser::get_double(const std::string& name) const {
  auto v = get(name);
  if (!v) return std::nullopt;
  double out = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || end != v->data() + v->size() || !std::isfinite(out))
    throw UsageError(command_ + ": --" + name + " expects a number, got \"" + *v + "\"");
  return out;
}

std::string ArgParser::help_text() const {
  std::string text = "Usage: smolvlm " + command_ + " " + usage_ + "\n\n" + summary_ + "\n\nOptions:\n";
  for (const Spec& s : specs_) {
    std::string left = "  --" + s.name + (s.takes_value ? " " + s.value_name : "");
    if (left.size() < 30) left.append(30 - left.size(), ' ');
    else left += "\n" + std::string(30, ' ');
    text += left + s.help + (s.repeatable ? " (repeatable)" : "") + "\n";
  }
  return text + "  --help                      Show this help\n";
}

}  // namespace smolvlm::cli
