package dev.trellis.analyze.envoy;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor.JavaType;
import com.google.protobuf.Message;
import dev.trellis.analyze.envoy.ValueCheck.Failure;
import io.envoyproxy.pgv.validate.Validate.AnyRules;
import io.envoyproxy.pgv.validate.Validate.BoolRules;
import io.envoyproxy.pgv.validate.Validate.BytesRules;
import io.envoyproxy.pgv.validate.Validate.EnumRules;
import io.envoyproxy.pgv.validate.Validate.FieldRules;
import io.envoyproxy.pgv.validate.Validate.StringRules;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

/**
 * Turns the {@link FieldRules} of one field into {@link ValueCheck}s. Numeric, duration and
 * timestamp rules share one shape (const, lt, lte, gt, gte, in, not_in) and are read by field name,
 * so the twelve numeric rule types need no code of their own. Rules this engine cannot check are
 * recorded, never silently dropped.
 */
final class RuleCompiler {

  private static final Set<String> WRAPPERS =
      Set.of(
          "google.protobuf.DoubleValue",
          "google.protobuf.FloatValue",
          "google.protobuf.Int64Value",
          "google.protobuf.UInt64Value",
          "google.protobuf.Int32Value",
          "google.protobuf.UInt32Value",
          "google.protobuf.BoolValue",
          "google.protobuf.StringValue",
          "google.protobuf.BytesValue");

  /** The Java type each scalar rule kind applies to. */
  private static final Map<String, JavaType> SCALAR_KINDS =
      Map.ofEntries(
          Map.entry("float", JavaType.FLOAT),
          Map.entry("double", JavaType.DOUBLE),
          Map.entry("int32", JavaType.INT),
          Map.entry("sint32", JavaType.INT),
          Map.entry("sfixed32", JavaType.INT),
          Map.entry("uint32", JavaType.INT),
          Map.entry("fixed32", JavaType.INT),
          Map.entry("int64", JavaType.LONG),
          Map.entry("sint64", JavaType.LONG),
          Map.entry("sfixed64", JavaType.LONG),
          Map.entry("uint64", JavaType.LONG),
          Map.entry("fixed64", JavaType.LONG),
          Map.entry("bool", JavaType.BOOLEAN),
          Map.entry("string", JavaType.STRING),
          Map.entry("bytes", JavaType.BYTE_STRING),
          Map.entry("enum", JavaType.ENUM));

  private final Set<String> unsupported;

  /**
   * @param unsupported where to record {@code target: rule} of rules that cannot be checked
   */
  RuleCompiler(Set<String> unsupported) {
    this.unsupported = unsupported;
  }

  /** The kind of a rule set, e.g. {@code uint32}, or empty when it constrains no type. */
  static String kind(FieldRules rules) {
    if (rules.getTypeCase() == FieldRules.TypeCase.TYPE_NOT_SET) {
      return "";
    }
    return FieldRules.getDescriptor().findFieldByNumber(rules.getTypeCase().getNumber()).getName();
  }

  /**
   * The checks of {@code rules} on one value of {@code typeOf}'s type (a field, or a map entry's
   * key or value field), first failure wins; null when there is nothing to check.
   *
   * @param label rule name prefix, e.g. {@code repeated.items.}
   */
  ValueCheck element(FieldRules rules, FieldDescriptor typeOf, String target, String label) {
    String kind = kind(rules);
    if (kind.isEmpty() || kind.equals("repeated") || kind.equals("map")) {
      if (!kind.isEmpty()) {
        unsupported.add(target + ": " + label + kind + " on a single value");
      }
      return null;
    }
    Message kindRules = (Message) rules.getField(FieldRules.getDescriptor().findFieldByName(kind));
    String prefix = label + kind + ".";
    if (onlyRequired(kindRules)) {
      // presence is checked per field; Envoy puts any.required on a ConfigSource, and it holds
      return null;
    }
    JavaType type = typeOf.getJavaType();
    Function<Object, Object> unwrap = Function.identity();
    JavaType expected = SCALAR_KINDS.get(kind);
    if (expected != null && type == JavaType.MESSAGE) {
      Descriptor wrapper = typeOf.getMessageType();
      if (WRAPPERS.contains(wrapper.getFullName())) {
        FieldDescriptor value = wrapper.findFieldByName("value");
        type = value.getJavaType();
        unwrap = m -> ((Message) m).getField(value);
      }
    }
    boolean fits =
        expected != null
            ? type == expected
            : type == JavaType.MESSAGE
                && typeOf.getMessageType().getFullName().equals(messageTypeOf(kind));
    if (!fits) {
      unsupported.add(target + ": " + label + kind + " on a field of type " + typeName(typeOf));
      return null;
    }
    List<ValueCheck> checks = new ArrayList<>();
    switch (kind) {
      case "bool" -> bool((BoolRules) kindRules, prefix, checks);
      case "string" -> string((StringRules) kindRules, target, prefix, checks);
      case "bytes" -> bytes((BytesRules) kindRules, target, prefix, checks);
      case "enum" -> enumeration((EnumRules) kindRules, typeOf.getEnumType(), prefix, checks);
      case "any" -> any((AnyRules) kindRules, prefix, checks);
      case "duration" ->
          bounds(
              kindRules,
              prefix,
              RuleCompiler::duration,
              Comparator.naturalOrder(),
              RuleCompiler::formatDuration,
              checks);
      case "timestamp" -> {
        for (String relative : List.of("lt_now", "gt_now", "within")) {
          FieldDescriptor f = kindRules.getDescriptorForType().findFieldByName(relative);
          if (kindRules.hasField(f)) {
            unsupported.add(target + ": " + prefix + relative);
          }
        }
        bounds(
            kindRules,
            prefix,
            RuleCompiler::timestamp,
            Comparator.naturalOrder(),
            Instant::toString,
            checks);
      }
      default -> numeric(kind, kindRules, prefix, checks);
    }
    boolean ignoreEmpty = flag(kindRules, "ignore_empty");
    if (checks.isEmpty()) {
      return null;
    }
    ValueCheck[] all = checks.toArray(ValueCheck[]::new);
    Function<Object, Object> get = unwrap;
    return value -> {
      Object v = get.apply(value);
      if (ignoreEmpty && isEmpty(v)) {
        return null;
      }
      for (ValueCheck c : all) {
        Failure f = c.test(v);
        if (f != null) {
          return f;
        }
      }
      return null;
    };
  }

  private static boolean onlyRequired(Message kindRules) {
    var set = kindRules.getAllFields().keySet();
    return !set.isEmpty() && set.stream().allMatch(f -> f.getName().equals("required"));
  }

  private static String messageTypeOf(String kind) {
    return switch (kind) {
      case "duration" -> "google.protobuf.Duration";
      case "timestamp" -> "google.protobuf.Timestamp";
      case "any" -> "google.protobuf.Any";
      default -> "";
    };
  }

  private static String typeName(FieldDescriptor f) {
    return f.getJavaType() == JavaType.MESSAGE
        ? f.getMessageType().getFullName()
        : f.getType().name().toLowerCase();
  }

  static boolean flag(Message rules, String name) {
    FieldDescriptor f = rules.getDescriptorForType().findFieldByName(name);
    return f != null && (Boolean) rules.getField(f);
  }

  private static boolean isEmpty(Object v) {
    if (v instanceof String s) {
      return s.isEmpty();
    } else if (v instanceof ByteString b) {
      return b.isEmpty();
    } else if (v instanceof Number n) {
      return n.doubleValue() == 0;
    } else if (v instanceof Boolean b) {
      return !b;
    } else if (v instanceof EnumValueDescriptor e) {
      return e.getNumber() == 0;
    } else if (v instanceof Message m) {
      return m.equals(m.getDefaultInstanceForType());
    }
    return false;
  }

  // ---- numbers, durations, timestamps: one shape, read by field name ----

  private static void numeric(String kind, Message rules, String prefix, List<ValueCheck> out) {
    switch (kind) {
      case "float" ->
          bounds(
              rules,
              prefix,
              v -> ((Number) v).doubleValue(),
              Double::compare,
              d -> formatFloat(d, true),
              out);
      case "double" ->
          bounds(
              rules,
              prefix,
              v -> ((Number) v).doubleValue(),
              Double::compare,
              d -> formatFloat(d, false),
              out);
      case "uint32", "fixed32" ->
          bounds(
              rules,
              prefix,
              v -> Integer.toUnsignedLong((Integer) v),
              Long::compare,
              String::valueOf,
              out);
      case "uint64", "fixed64" ->
          bounds(rules, prefix, v -> (Long) v, Long::compareUnsigned, Long::toUnsignedString, out);
      default ->
          bounds(rules, prefix, v -> ((Number) v).longValue(), Long::compare, String::valueOf, out);
    }
  }

  private static <T> void bounds(
      Message rules,
      String prefix,
      Function<Object, T> norm,
      Comparator<T> cmp,
      Function<T, String> fmt,
      List<ValueCheck> out) {
    Descriptor d = rules.getDescriptorForType();
    T konst = single(rules, d, "const", norm);
    if (konst != null) {
      Failure f = new Failure("must equal " + fmt.apply(konst), prefix + "const");
      out.add(v -> cmp.compare(norm.apply(v), konst) == 0 ? null : f);
    }
    String upperName = rules.hasField(d.findFieldByName("lt")) ? "lt" : "lte";
    String lowerName = rules.hasField(d.findFieldByName("gt")) ? "gt" : "gte";
    T upper = single(rules, d, upperName, norm);
    T lower = single(rules, d, lowerName, norm);
    boolean upperInclusive = upperName.equals("lte");
    boolean lowerInclusive = lowerName.equals("gte");
    Predicate<T> belowUpper =
        v -> upperInclusive ? cmp.compare(v, upper) <= 0 : cmp.compare(v, upper) < 0;
    Predicate<T> aboveLower =
        v -> lowerInclusive ? cmp.compare(v, lower) >= 0 : cmp.compare(v, lower) > 0;
    String upperText =
        (upperInclusive ? "less than or equal to " : "less than ")
            + (upper == null ? "" : fmt.apply(upper));
    String lowerText =
        (lowerInclusive ? "greater than or equal to " : "greater than ")
            + (lower == null ? "" : fmt.apply(lower));
    if (upper != null && lower != null && cmp.compare(upper, lower) < 0) {
      // protoc-gen-validate: an upper bound below the lower bound means "outside the range"
      Failure f =
          new Failure(
              "must be " + upperText + " or " + lowerText, prefix + upperName + "," + lowerName);
      out.add(
          v -> {
            T n = norm.apply(v);
            return belowUpper.test(n) || aboveLower.test(n) ? null : f;
          });
    } else {
      if (lower != null) {
        Failure f = new Failure("must be " + lowerText, prefix + lowerName);
        out.add(v -> aboveLower.test(norm.apply(v)) ? null : f);
      }
      if (upper != null) {
        Failure f = new Failure("must be " + upperText, prefix + upperName);
        out.add(v -> belowUpper.test(norm.apply(v)) ? null : f);
      }
    }
    membership(rules, d, prefix, norm, fmt, out);
  }

  private static <T> T single(Message rules, Descriptor d, String name, Function<Object, T> norm) {
    FieldDescriptor f = d.findFieldByName(name);
    return f != null && rules.hasField(f) ? norm.apply(rules.getField(f)) : null;
  }

  /** {@code in} and {@code not_in}, compared after normalizing (so 1s equals 1.000s). */
  private static <T> void membership(
      Message rules,
      Descriptor d,
      String prefix,
      Function<Object, T> norm,
      Function<T, String> fmt,
      List<ValueCheck> out) {
    for (String name : List.of("in", "not_in")) {
      FieldDescriptor f = d.findFieldByName(name);
      if (f == null || rules.getRepeatedFieldCount(f) == 0) {
        continue;
      }
      List<T> values = new ArrayList<>();
      for (int i = 0; i < rules.getRepeatedFieldCount(f); i++) {
        values.add(norm.apply(rules.getRepeatedField(f, i)));
      }
      Set<T> set = new HashSet<>(values);
      String list = values.stream().map(fmt).collect(Collectors.joining(", ", "[", "]"));
      boolean in = name.equals("in");
      Failure failure =
          new Failure(in ? "must be one of " + list : "must not be one of " + list, prefix + name);
      out.add(v -> set.contains(norm.apply(v)) == in ? null : failure);
    }
  }

  static Duration duration(Object m) {
    if (m instanceof com.google.protobuf.Duration d) {
      return Duration.ofSeconds(d.getSeconds(), d.getNanos());
    }
    Message msg = (Message) m;
    Descriptor d = msg.getDescriptorForType();
    return Duration.ofSeconds(
        (Long) msg.getField(d.findFieldByName("seconds")),
        (Integer) msg.getField(d.findFieldByName("nanos")));
  }

  private static Instant timestamp(Object m) {
    if (m instanceof com.google.protobuf.Timestamp t) {
      return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }
    Message msg = (Message) m;
    Descriptor d = msg.getDescriptorForType();
    return Instant.ofEpochSecond(
        (Long) msg.getField(d.findFieldByName("seconds")),
        (Integer) msg.getField(d.findFieldByName("nanos")));
  }

  /** Like the proto3 JSON form: {@code 0s}, {@code 1.5s}, {@code 0.001s}. */
  static String formatDuration(Duration d) {
    StringBuilder s = new StringBuilder();
    long seconds = d.getSeconds();
    int nanos = d.getNano();
    if (seconds < 0 && nanos > 0) {
      s.append('-');
      seconds = -seconds - 1;
      nanos = 1_000_000_000 - nanos;
    }
    s.append(seconds);
    if (nanos > 0) {
      String frac = String.format("%09d", nanos).replaceAll("0+$", "");
      s.append('.').append(frac);
    }
    return s.append('s').toString();
  }

  private static String formatFloat(double d, boolean single) {
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString((long) d);
    }
    return single ? Float.toString((float) d) : Double.toString(d);
  }

  // ---- the rule types with a shape of their own ----

  private static void bool(BoolRules r, String prefix, List<ValueCheck> out) {
    if (r.hasConst()) {
      boolean want = r.getConst();
      Failure f = new Failure("must be " + want, prefix + "const");
      out.add(v -> (Boolean) v == want ? null : f);
    }
  }

  private void string(StringRules r, String target, String prefix, List<ValueCheck> out) {
    if (r.hasConst()) {
      String c = r.getConst();
      out.add(test(s -> s.equals(c), "must equal " + quote(c), prefix + "const"));
    }
    if (r.hasLen()) {
      long n = r.getLen();
      out.add(
          test(
              s -> codePoints(s) == n,
              "must be exactly " + units(n, "character") + " long",
              prefix + "len"));
    }
    if (r.hasMinLen()) {
      long n = r.getMinLen();
      out.add(test(s -> codePoints(s) >= n, atLeast(n, "character"), prefix + "min_len"));
    }
    if (r.hasMaxLen()) {
      long n = r.getMaxLen();
      out.add(
          test(
              s -> codePoints(s) <= n,
              "must be at most " + units(n, "character") + " long",
              prefix + "max_len"));
    }
    if (r.hasLenBytes()) {
      long n = r.getLenBytes();
      out.add(
          test(
              s -> utf8Length(s) == n,
              "must be exactly " + units(n, "byte") + " long",
              prefix + "len_bytes"));
    }
    if (r.hasMinBytes()) {
      long n = r.getMinBytes();
      out.add(test(s -> utf8Length(s) >= n, atLeast(n, "byte"), prefix + "min_bytes"));
    }
    if (r.hasMaxBytes()) {
      long n = r.getMaxBytes();
      out.add(
          test(
              s -> utf8Length(s) <= n,
              "must be at most " + units(n, "byte") + " long",
              prefix + "max_bytes"));
    }
    if (r.hasPattern()) {
      Pattern p = pattern(r.getPattern(), target, prefix);
      if (p != null) {
        out.add(
            test(
                s -> p.matcher(s).find(),
                "must match the regular expression " + quote(r.getPattern()),
                prefix + "pattern"));
      }
    }
    if (r.hasPrefix()) {
      out.add(
          test(
              s -> s.startsWith(r.getPrefix()),
              "must start with " + quote(r.getPrefix()),
              prefix + "prefix"));
    }
    if (r.hasSuffix()) {
      out.add(
          test(
              s -> s.endsWith(r.getSuffix()),
              "must end with " + quote(r.getSuffix()),
              prefix + "suffix"));
    }
    if (r.hasContains()) {
      out.add(
          test(
              s -> s.contains(r.getContains()),
              "must contain " + quote(r.getContains()),
              prefix + "contains"));
    }
    if (r.hasNotContains()) {
      out.add(
          test(
              s -> !s.contains(r.getNotContains()),
              "must not contain " + quote(r.getNotContains()),
              prefix + "not_contains"));
    }
    membership(r.getInList(), r.getNotInList(), prefix, out);
    switch (r.getWellKnownCase()) {
      case EMAIL ->
          format(r.getEmail(), Formats::email, "a valid email address", prefix + "email", out);
      case HOSTNAME ->
          format(r.getHostname(), Formats::hostname, "a valid hostname", prefix + "hostname", out);
      case IP -> format(r.getIp(), Formats::ip, "a valid IP address", prefix + "ip", out);
      case IPV4 -> format(r.getIpv4(), Formats::ipv4, "a valid IPv4 address", prefix + "ipv4", out);
      case IPV6 -> format(r.getIpv6(), Formats::ipv6, "a valid IPv6 address", prefix + "ipv6", out);
      case URI -> format(r.getUri(), Formats::uri, "an absolute URI", prefix + "uri", out);
      case URI_REF ->
          format(r.getUriRef(), Formats::uriRef, "a URI reference", prefix + "uri_ref", out);
      case ADDRESS ->
          format(
              r.getAddress(),
              Formats::address,
              "a valid hostname or IP address",
              prefix + "address",
              out);
      case UUID -> format(r.getUuid(), Formats::uuid, "a UUID", prefix + "uuid", out);
      case WELL_KNOWN_REGEX -> {
        String rule = prefix + "well_known_regex";
        switch (r.getWellKnownRegex()) {
          case HTTP_HEADER_NAME -> {
            Pattern p = r.getStrict() ? Formats.HTTP_HEADER_NAME : Formats.HEADER_STRING;
            out.add(
                test(
                    s -> p.matcher(s).find(),
                    r.getStrict()
                        ? "must be a valid HTTP header name"
                        : "must not contain NUL, CR or LF",
                    rule));
          }
          case HTTP_HEADER_VALUE -> {
            Pattern p = r.getStrict() ? Formats.HTTP_HEADER_VALUE : Formats.HEADER_STRING;
            out.add(
                test(
                    s -> p.matcher(s).find(),
                    r.getStrict()
                        ? "must be a valid HTTP header value"
                        : "must not contain NUL, CR or LF",
                    rule));
          }
          default -> unsupported.add(target + ": " + rule + " " + r.getWellKnownRegex());
        }
      }
      case WELLKNOWN_NOT_SET -> {}
    }
  }

  private static String atLeast(long n, String unit) {
    return n == 1 ? "must not be empty" : "must be at least " + units(n, unit) + " long";
  }

  /** {@code 1 byte}, {@code 2 bytes}. */
  static String units(long n, String unit) {
    return n + " " + unit + (n == 1 ? "" : "s");
  }

  private static void format(
      boolean on, Predicate<String> valid, String what, String rule, List<ValueCheck> out) {
    if (on) {
      out.add(test(valid, "must be " + what, rule));
    }
  }

  private static ValueCheck test(Predicate<String> ok, String constraint, String rule) {
    Failure f = new Failure(constraint, rule);
    return v -> ok.test((String) v) ? null : f;
  }

  private static <T> void membership(
      List<T> in, List<T> notIn, String prefix, List<ValueCheck> out) {
    if (!in.isEmpty()) {
      Set<T> set = Set.copyOf(in);
      Failure f = new Failure("must be one of " + quoteAll(in), prefix + "in");
      out.add(v -> set.contains(v) ? null : f);
    }
    if (!notIn.isEmpty()) {
      Set<T> set = Set.copyOf(notIn);
      Failure f = new Failure("must not be one of " + quoteAll(notIn), prefix + "not_in");
      out.add(v -> set.contains(v) ? f : null);
    }
  }

  private static String quoteAll(List<?> values) {
    return values.stream()
        .map(v -> v instanceof ByteString b ? b.toStringUtf8() : String.valueOf(v))
        .map(RuleCompiler::quote)
        .collect(Collectors.joining(", ", "[", "]"));
  }

  private Pattern pattern(String regex, String target, String prefix) {
    try {
      return Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      unsupported.add(target + ": " + prefix + "pattern " + quote(regex));
      return null;
    }
  }

  private void bytes(BytesRules r, String target, String prefix, List<ValueCheck> out) {
    if (r.hasConst()) {
      ByteString c = r.getConst();
      out.add(
          bytesTest(b -> b.equals(c), "must equal " + quote(c.toStringUtf8()), prefix + "const"));
    }
    if (r.hasLen()) {
      long n = r.getLen();
      out.add(
          bytesTest(
              b -> b.size() == n, "must be exactly " + units(n, "byte") + " long", prefix + "len"));
    }
    if (r.hasMinLen()) {
      long n = r.getMinLen();
      out.add(bytesTest(b -> b.size() >= n, atLeast(n, "byte"), prefix + "min_len"));
    }
    if (r.hasMaxLen()) {
      long n = r.getMaxLen();
      out.add(
          bytesTest(
              b -> b.size() <= n,
              "must be at most " + units(n, "byte") + " long",
              prefix + "max_len"));
    }
    if (r.hasPattern()) {
      Pattern p = pattern(r.getPattern(), target, prefix);
      if (p != null) {
        out.add(
            bytesTest(
                b -> p.matcher(b.toStringUtf8()).find(),
                "must match the regular expression " + quote(r.getPattern()),
                prefix + "pattern"));
      }
    }
    if (r.hasPrefix()) {
      out.add(
          bytesTest(
              b -> b.startsWith(r.getPrefix()),
              "must start with " + quote(r.getPrefix().toStringUtf8()),
              prefix + "prefix"));
    }
    if (r.hasSuffix()) {
      out.add(
          bytesTest(
              b -> b.endsWith(r.getSuffix()),
              "must end with " + quote(r.getSuffix().toStringUtf8()),
              prefix + "suffix"));
    }
    if (r.hasContains()) {
      String c = r.getContains().toStringUtf8();
      out.add(
          bytesTest(
              b -> b.toStringUtf8().contains(c), "must contain " + quote(c), prefix + "contains"));
    }
    membership(r.getInList(), r.getNotInList(), prefix, out);
    switch (r.getWellKnownCase()) {
      case IP -> {
        if (r.getIp()) {
          out.add(
              bytesTest(
                  b -> b.size() == 4 || b.size() == 16,
                  "must be a 4- or 16-byte IP address",
                  prefix + "ip"));
        }
      }
      case IPV4 -> {
        if (r.getIpv4()) {
          out.add(bytesTest(b -> b.size() == 4, "must be a 4-byte IPv4 address", prefix + "ipv4"));
        }
      }
      case IPV6 -> {
        if (r.getIpv6()) {
          out.add(
              bytesTest(b -> b.size() == 16, "must be a 16-byte IPv6 address", prefix + "ipv6"));
        }
      }
      case WELLKNOWN_NOT_SET -> {}
    }
  }

  private static ValueCheck bytesTest(Predicate<ByteString> ok, String constraint, String rule) {
    Failure f = new Failure(constraint, rule);
    return v -> ok.test((ByteString) v) ? null : f;
  }

  private static void enumeration(
      EnumRules r, EnumDescriptor type, String prefix, List<ValueCheck> out) {
    if (r.hasConst()) {
      int c = r.getConst();
      Failure f = new Failure("must equal " + enumName(type, c), prefix + "const");
      out.add(v -> ((EnumValueDescriptor) v).getNumber() == c ? null : f);
    }
    if (r.getDefinedOnly()) {
      Failure f =
          new Failure(
              "must be a defined value of enum " + type.getFullName(), prefix + "defined_only");
      out.add(
          v -> type.findValueByNumber(((EnumValueDescriptor) v).getNumber()) != null ? null : f);
    }
    for (boolean in : new boolean[] {true, false}) {
      List<Integer> numbers = in ? r.getInList() : r.getNotInList();
      if (numbers.isEmpty()) {
        continue;
      }
      Set<Integer> set = Set.copyOf(numbers);
      String names =
          numbers.stream().map(n -> enumName(type, n)).collect(Collectors.joining(", ", "[", "]"));
      Failure f =
          new Failure(
              (in ? "must be one of " : "must not be one of ") + names,
              prefix + (in ? "in" : "not_in"));
      out.add(v -> set.contains(((EnumValueDescriptor) v).getNumber()) == in ? null : f);
    }
  }

  private static String enumName(EnumDescriptor type, int number) {
    EnumValueDescriptor v = type.findValueByNumber(number);
    return v == null ? Integer.toString(number) : v.getName();
  }

  private static void any(AnyRules r, String prefix, List<ValueCheck> out) {
    membership(r.getInList(), r.getNotInList(), prefix, out);
    if (!out.isEmpty()) {
      // the checks above compare strings: hand them the type URL
      List<ValueCheck> onUrl = List.copyOf(out);
      out.clear();
      for (ValueCheck c : onUrl) {
        out.add(v -> c.test(AnyUnpacker.typeUrl((Message) v)));
      }
    }
  }

  private static long codePoints(String s) {
    return s.codePointCount(0, s.length());
  }

  private static long utf8Length(String s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length()) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }

  static String quote(String s) {
    return "'" + s + "'";
  }
}
