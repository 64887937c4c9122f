#include "chat/jinja_operators.h"

#include <cmath>
#include <limits>

#include "chat/jinja_builtins.h"
#include "chat/jinja_text.h"

namespace smolvlm::jinja {
namespace {

using ast::BinaryOp;
using ast::CompareOp;

const char* symbol(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd: return "+";
    case BinaryOp::kSubtract: return "-";
    case BinaryOp::kMultiply: return "*";
    case BinaryOp::kDivide: return "/";
    case BinaryOp::kFloorDivide: return "//";
    case BinaryOp::kModulo: return "%";
    case BinaryOp::kPower: return "**";
    default: return "?";
  }
}

[[noreturn]] void unsupported(BinaryOp op, const Value& left, const Value& right) {
  throw RuntimeError(std::string("unsupported operand type(s) for ") + symbol(op) + ": '" + left.type_name() +
                     "' and '" + right.type_name() + "'");
}

[[noreturn]] void overflow() { throw RuntimeError("integer result does not fit in 64 bits"); }

std::int64_t checked_add(std::int64_t a, std::int64_t b) {
  std::int64_t r;
  if (__builtin_add_overflow(a, b, &r)) overflow();
  return r;
}

std::int64_t checked_subtract(std::int64_t a, std::int64_t b) {
  std::int64_t r;
  if (__builtin_sub_overflow(a, b, &r)) overflow();
  return r;
}

std::int64_t checked_multiply(std::int64_t a, std::int64_t b) {
  std::int64_t r;
  if (__builtin_mul_overflow(a, b, &r)) overflow();
  return r;
}

std::int64_t integer_power(std::int64_t base, std::int64_t exponent) {
  std::int64_t result = 1;
  while (exponent > 0) {
    if (exponent & 1) result = checked_multiply(result, base);
    exponent >>= 1;
    if (exponent > 0) base = checked_multiply(base, base);
  }
  return result;
}

// Python's divmod on floats (floor division rounds toward -inf, the
// remainder takes the divisor's sign).
double float_modulo(double a, double b) {
  double mod = std::fmod(a, b);
  if (mod != 0.0) {
    if ((b < 0) != (mod < 0)) mod += b;
  } else {
    mod = std::copysign(0.0, b);
  }
  return mod;
}

double float_floor_divide(double a, double b) {
  const double mod = std::fmod(a, b);
  double div = (a - mod) / b;
  if (mod != 0.0 && ((b < 0) != (mod < 0))) div -= 1.0;
  if (div == 0.0) return std::copysign(0.0, a / b);
  double floored = std::floor(div);
  if (div - floored > 0.5) floored += 1.0;
  return floored;
}

Value repeat(const Value& sequence, std::int64_t times) {
  if (times < 0) times = 0;
  if (sequence.is_string()) {
    const std::string& s = sequence.as_string();
    if (times > 0 && s.size() > kMaxStringBytes / static_cast<std::size_t>(times)) {
      throw RuntimeError("string repetition longer than " + std::to_string(kMaxStringBytes) + " bytes");
    }
    std::string out;
    out.reserve(s.size() * static_cast<std::size_t>(times));
    for (std::int64_t i = 0; i < times; ++i) out += s;
    return Value(std::move(out));
  }
  const List& list = sequence.as_list();
  if (times > 0 && list.items.size() > kMaxContainerItems / static_cast<std::size_t>(times)) {
    throw RuntimeError("list repetition has too many items");
  }
  List out{{}, list.is_tuple};
  for (std::int64_t i = 0; i < times; ++i) out.items.insert(out.items.end(), list.items.begin(), list.items.end());
  return Value(std::move(out));
}

bool is_sequence(const Value& v) { return v.is_string() || v.is_list(); }

// Python's slice.indices(): clamps start/stop for the given length and step.
std::int64_t clamp_slice_bound(std::int64_t bound, std::int64_t length, std::int64_t step) {
  if (bound < 0) {
    bound += length;
    if (bound < 0) bound = step < 0 ? -1 : 0;
  } else if (bound >= length) {
    bound = step < 0 ? length - 1 : length;
  }
  return bound;
}

std::string no_attribute_message(const Value& object, const std::string& name) {
  if (object.is_none()) return "'None' has no attribute '" + name + "'";
  return "'" + object.type_name() + " object' has no attribute '" + name + "'";
}

}  // namespace

Value binary_operation(BinaryOp op, const Value& left, const Value& right) {
  left.require_defined();
  right.require_defined();
  const bool integral = left.is_integral() && right.is_integral();
  const bool numeric = left.is_number() && right.is_number();
  switch (op) {
    case BinaryOp::kAdd: {
      if (integral) return checked_add(left.as_int(), right.as_int());
      if (numeric) return left.as_double() + right.as_double();
      if (left.is_string() && right.is_string()) return Value(left.as_string() + right.as_string());
      if (left.is_list() && right.is_list() && left.as_list().is_tuple == right.as_list().is_tuple) {
        List joined = left.as_list();
        joined.items.insert(joined.items.end(), right.as_list().items.begin(), right.as_list().items.end());
        return Value(std::move(joined));
      }
      break;
    }
    case BinaryOp::kSubtract: {
      if (integral) return checked_subtract(left.as_int(), right.as_int());
      if (numeric) return left.as_double() - right.as_double();
      break;
    }
    case BinaryOp::kMultiply: {
      if (integral) return checked_multiply(left.as_int(), right.as_int());
      if (numeric) return left.as_double() * right.as_double();
      if (is_sequence(left) && right.is_integral()) return repeat(left, right.as_int());
      if (left.is_integral() && is_sequence(right)) return repeat(right, left.as_int());
      break;
    }
    case BinaryOp::kDivide:
      if (numeric) {
        if (right.as_double() == 0.0) throw RuntimeError("division by zero");
        return left.as_double() / right.as_double();
      }
      break;
    case BinaryOp::kFloorDivide:
    case BinaryOp::kModulo:
      if (integral) {
        const std::int64_t a = left.as_int(), b = right.as_int();
        if (b == 0) throw RuntimeError("integer division or modulo by zero");
        if (a == std::numeric_limits<std::int64_t>::min() && b == -1) {
          if (op == BinaryOp::kModulo) return std::int64_t{0};
          overflow();
        }
        std::int64_t quotient = a / b, remainder = a % b;
        if (remainder != 0 && ((remainder < 0) != (b < 0))) {
          --quotient;
          remainder += b;
        }
        return op == BinaryOp::kFloorDivide ? quotient : remainder;
      }
      if (numeric) {
        if (right.as_double() == 0.0) throw RuntimeError("float division or modulo by zero");
        return op == BinaryOp::kFloorDivide ? float_floor_divide(left.as_double(), right.as_double())
                                            : float_modulo(left.as_double(), right.as_double());
      }
      if (op == BinaryOp::kModulo && left.is_string()) throw RuntimeError("printf-style string formatting is not supported");
      break;
    case BinaryOp::kPower:
      if (integral && right.as_int() >= 0) return integer_power(left.as_int(), right.as_int());
      if (numeric) {
        if (left.as_double() == 0.0 && right.as_double() < 0) throw RuntimeError("zero cannot be raised to a negative power");
        return std::pow(left.as_double(), right.as_double());
      }
      break;
    default:
      break;
  }
  unsupported(op, left, right);
}

Value negate(const Value& operand) {
  operand.require_defined();
  if (operand.is_integral()) {
    if (operand.as_int() == std::numeric_limits<std::int64_t>::min()) overflow();
    return -operand.as_int();
  }
  if (operand.is_float()) return -operand.as_double();
  throw RuntimeError("bad operand type for unary -: '" + operand.type_name() + "'");
}

Value unary_plus(const Value& operand) {
  operand.require_defined();
  if (operand.is_integral()) return operand.as_int();
  if (operand.is_float()) return operand;
  throw RuntimeError("bad operand type for unary +: '" + operand.type_name() + "'");
}

bool compare(CompareOp op, const Value& left, const Value& right) {
  switch (op) {
    case CompareOp::kEqual: return values_equal(left, right);
    case CompareOp::kNotEqual: return !values_equal(left, right);
    case CompareOp::kLess: return value_less(left, right);
    case CompareOp::kLessEqual: return value_less(left, right) || values_equal(left, right);
    case CompareOp::kGreater: return value_less(right, left);
    case CompareOp::kGreaterEqual: return value_less(right, left) || values_equal(left, right);
    case CompareOp::kIn: return contains(right, left);
    case CompareOp::kNotIn: return !contains(right, left);
  }
  return false;
}

bool contains(const Value& haystack, const Value& needle) {
  if (haystack.is_string()) {
    if (!needle.is_string()) {
      throw RuntimeError("'in <string>' requires string as left operand, not " + needle.type_name());
    }
    return haystack.as_string().find(needle.as_string()) != std::string::npos;
  }
  if (haystack.is_list()) {
    for (const Value& item : haystack.as_list().items) {
      if (values_equal(item, needle)) return true;
    }
    return false;
  }
  if (haystack.is_dict()) return needle.is_string() && haystack.as_dict().find(needle.as_string()) != nullptr;
  if (haystack.is_undefined()) return false;
  throw RuntimeError("argument of type '" + haystack.type_name() + "' is not iterable");
}

Value get_attribute(const Value& object, const std::string& name) {
  object.require_defined();
  if (std::optional<Value> method = find_method(object, name)) return *method;
  if (object.is_dict()) {
    if (const Value* found = object.as_dict().find(name)) return *found;
  } else if (object.is_namespace()) {
    if (const Value* found = object.as_namespace().attributes.find(name)) return *found;
  }
  return Value::undefined(no_attribute_message(object, name));
}

Value get_item(const Value& object, const Value& key) {
  object.require_defined();
  if (object.is_dict() && key.is_string()) {
    if (const Value* found = object.as_dict().find(key.as_string())) return *found;
  }
  if ((object.is_list() || object.is_string()) && key.is_integral()) {
    std::int64_t index = key.as_int();
    if (object.is_list()) {
      const auto& items = object.as_list().items;
      const auto size = static_cast<std::int64_t>(items.size());
      if (index < 0) index += size;
      if (index >= 0 && index < size) return items[static_cast<std::size_t>(index)];
      return Value::undefined(object.type_name() + " object has no element " + std::to_string(key.as_int()));
    }
    const std::u32string chars = text::decode(object.as_string());
    const auto size = static_cast<std::int64_t>(chars.size());
    if (index < 0) index += size;
    if (index >= 0 && index < size) return Value(text::encode(chars.substr(static_cast<std::size_t>(index), 1)));
    return Value::undefined("str object has no element " + std::to_string(key.as_int()));
  }
  if (key.is_string()) return get_attribute(object, key.as_string());
  return Value::undefined("'" + object.type_name() + " object' has no attribute " + key.repr());
}

Value get_slice(const Value& object, const Value* start, const Value* stop, const Value* step) {
  object.require_defined();
  auto bound = [](const Value* v) { return v == nullptr || v->is_none() || v->is_integral(); };
  // Python raises TypeError for such slices, which jinja2 turns into Undefined.
  if (!is_sequence(object) || !bound(start) || !bound(stop) || !bound(step)) {
    return Value::undefined("'" + object.type_name() + " object' cannot be sliced that way");
  }
  auto given = [](const Value* v) { return v != nullptr && !v->is_none(); };
  const std::int64_t stride = given(step) ? step->as_int() : 1;
  if (stride == 0) throw RuntimeError("slice step cannot be zero");
  const std::u32string chars = object.is_string() ? text::decode(object.as_string()) : std::u32string();
  const auto length = static_cast<std::int64_t>(object.is_string() ? chars.size() : object.as_list().items.size());
  const std::int64_t first = given(start) ? clamp_slice_bound(start->as_int(), length, stride) : (stride < 0 ? length - 1 : 0);
  const std::int64_t last = given(stop) ? clamp_slice_bound(stop->as_int(), length, stride) : (stride < 0 ? -1 : length);
  std::vector<std::size_t> picked;
  for (std::int64_t i = first; stride > 0 ? i < last : i > last; i += stride) picked.push_back(static_cast<std::size_t>(i));
  if (object.is_string()) {
    std::u32string out;
    for (std::size_t i : picked) out.push_back(chars[i]);
    return Value(text::encode(out));
  }
  List out{{}, object.as_list().is_tuple};
  for (std::size_t i : picked) out.items.push_back(object.as_list().items[i]);
  return Value(std::move(out));
}

}  // namespace smolvlm::jinja
