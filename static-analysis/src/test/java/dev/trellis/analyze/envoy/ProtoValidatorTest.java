package dev.trellis.analyze.envoy;

import static dev.trellis.analyze.envoy.SampleProto.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Message;
import com.google.protobuf.StringValue;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.util.Durations;
import com.google.protobuf.util.JsonFormat.TypeRegistry;
import com.google.protobuf.util.Timestamps;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every protoc-gen-validate rule kind, on a run-time proto with one field per rule: a valid message
 * has no violations, and breaking one field gives exactly that field's violation.
 */
class ProtoValidatorTest {

  private static final SampleProto SAMPLE = SampleProto.withExtensions();
  private static final SampleProto PLAIN = SampleProto.withUnknownFields();
  private final ProtoValidator validator = new ProtoValidator();

  private static TypeRegistry types(SampleProto sample) {
    return TypeRegistry.newBuilder()
        .add(com.google.protobuf.Duration.getDescriptor())
        .add(com.google.protobuf.Timestamp.getDescriptor())
        .add(sample.type("Inner"))
        .build();
  }

  /** A case: what to change in a valid Sample, and the one violation it must cause. */
  record Case(
      String name, BiConsumer<SampleProto, DynamicMessage.Builder> breakIt, Violation expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static Case set(String field, Object bad, String constraint, String rule) {
    return new Case(
        field + " " + rule,
        (s, b) -> b.setField(s.field(field), bad),
        violation(field, "trellis.test.Sample." + field, constraint, rule));
  }

  private static Case edit(
      String name,
      BiConsumer<SampleProto, DynamicMessage.Builder> breakIt,
      String path,
      String target,
      String constraint,
      String rule) {
    return new Case(name, breakIt, violation(path, target, constraint, rule));
  }

  private static Violation violation(String path, String target, String constraint, String rule) {
    return new Violation(Violation.Kind.CONSTRAINT, path, target, constraint, rule);
  }

  static Stream<Case> cases() {
    String inner = "trellis.test.Inner.name";
    return Stream.of(
        set("f_float", 0.5f, "must be greater than 0.5", "float.gt"),
        set("f_double", 10.5, "must be less than or equal to 10", "double.lte"),
        set("f_int32", -6, "must be greater than or equal to -5", "int32.gte"),
        set("f_int64", 100L, "must be less than 100", "int64.lt"),
        set("f_uint32", 4, "must be one of [1, 2, 3]", "uint32.in"),
        set("f_uint64", 7L, "must not be one of [7]", "uint64.not_in"),
        set("f_sint32", 0, "must equal -1", "sint32.const"),
        set("f_sint64", 7L, "must be less than 5 or greater than 10", "sint64.lt,gt"),
        set(
            "f_fixed32",
            (int) 4_100_000_000L,
            "must be less than or equal to 4000000000",
            "fixed32.lte"),
        set("f_fixed64", 5L, "must be greater than 9223372036854775808", "fixed64.gt"),
        set("f_sfixed32", -1, "must be greater than or equal to 0", "sfixed32.gte"),
        set("f_sfixed64", 1L, "must be less than or equal to 0", "sfixed64.lte"),
        set("f_bool", false, "must be true", "bool.const"),
        set("s_len", "ab", "must be exactly 3 characters long", "string.len"),
        set("s_min_len", "a", "must be at least 2 characters long", "string.min_len"),
        set("s_max_len", "abcd", "must be at most 3 characters long", "string.max_len"),
        set("s_len_bytes", "e", "must be exactly 2 bytes long", "string.len_bytes"),
        set("s_min_bytes", "ab", "must be at least 3 bytes long", "string.min_bytes"),
        set("s_max_bytes", "é1", "must be at most 2 bytes long", "string.max_bytes"),
        set("s_pattern", "ABC", "must match the regular expression '^[a-z]+$'", "string.pattern"),
        set("s_prefix", "xab", "must start with 'ab'", "string.prefix"),
        set("s_suffix", "yzx", "must end with 'yz'", "string.suffix"),
        set("s_contains", "none", "must contain 'mid'", "string.contains"),
        set("s_not_contains", "so bad", "must not contain 'bad'", "string.not_contains"),
        set("s_in", "z", "must be one of ['x', 'y']", "string.in"),
        set("s_not_in", "no", "must not be one of ['no']", "string.not_in"),
        set("s_const", "j", "must equal 'k'", "string.const"),
        set("s_email", "not-an-email", "must be a valid email address", "string.email"),
        set("s_hostname", "-bad-.com", "must be a valid hostname", "string.hostname"),
        set("s_ip", "10.0.0.300", "must be a valid IP address", "string.ip"),
        set("s_ipv4", "::1", "must be a valid IPv4 address", "string.ipv4"),
        set("s_ipv6", "10.0.0.1", "must be a valid IPv6 address", "string.ipv6"),
        set("s_uri", "/relative", "must be an absolute URI", "string.uri"),
        set("s_uri_ref", "a b", "must be a URI reference", "string.uri_ref"),
        set("s_address", "bad_host!", "must be a valid hostname or IP address", "string.address"),
        set("s_uuid", "123", "must be a UUID", "string.uuid"),
        set(
            "s_header_name",
            "bad header",
            "must be a valid HTTP header name",
            "string.well_known_regex"),
        set(
            "s_header_value",
            "a\u0001b",
            "must be a valid HTTP header value",
            "string.well_known_regex"),
        set("s_header_loose", "a\nb", "must not contain NUL, CR or LF", "string.well_known_regex"),
        set("s_ignore_empty", "ab", "must be at least 3 characters long", "string.min_len"),
        set("b_len", bytes("abc"), "must be exactly 2 bytes long", "bytes.len"),
        set("b_min_len", bytes("a"), "must be at least 2 bytes long", "bytes.min_len"),
        set("b_max_len", bytes("abc"), "must be at most 2 bytes long", "bytes.max_len"),
        set(
            "b_pattern",
            bytes("ABC"),
            "must match the regular expression '^[a-z]+$'",
            "bytes.pattern"),
        set("b_prefix", bytes("xab"), "must start with 'ab'", "bytes.prefix"),
        set("b_suffix", bytes("yzx"), "must end with 'yz'", "bytes.suffix"),
        set("b_contains", bytes("none"), "must contain 'mid'", "bytes.contains"),
        set("b_in", bytes("z"), "must be one of ['x']", "bytes.in"),
        set("b_not_in", bytes("no"), "must not be one of ['no']", "bytes.not_in"),
        set("b_const", bytes("j"), "must equal 'k'", "bytes.const"),
        set(
            "b_ip",
            ByteString.copyFrom(new byte[5]),
            "must be a 4- or 16-byte IP address",
            "bytes.ip"),
        set(
            "b_ipv4",
            ByteString.copyFrom(new byte[16]),
            "must be a 4-byte IPv4 address",
            "bytes.ipv4"),
        set(
            "b_ipv6",
            ByteString.copyFrom(new byte[4]),
            "must be a 16-byte IPv6 address",
            "bytes.ipv6"),
        edit(
            "e_defined enum.defined_only",
            (s, b) -> b.setField(s.field("e_defined"), s.enumValue(99)),
            "e_defined",
            "trellis.test.Sample.e_defined",
            "must be a defined value of enum trellis.test.Color",
            "enum.defined_only"),
        edit(
            "e_const enum.const",
            (s, b) -> b.setField(s.field("e_const"), s.enumValue(2)),
            "e_const",
            "trellis.test.Sample.e_const",
            "must equal RED",
            "enum.const"),
        edit(
            "e_in enum.in",
            (s, b) -> b.setField(s.field("e_in"), s.enumValue(0)),
            "e_in",
            "trellis.test.Sample.e_in",
            "must be one of [RED, GREEN]",
            "enum.in"),
        edit(
            "e_not_in enum.not_in",
            (s, b) -> b.setField(s.field("e_not_in"), s.enumValue(2)),
            "e_not_in",
            "trellis.test.Sample.e_not_in",
            "must not be one of [GREEN]",
            "enum.not_in"),
        edit(
            "m_required message.required",
            (s, b) -> b.clearField(s.field("m_required")),
            "m_required",
            "trellis.test.Sample.m_required",
            "is required",
            "message.required"),
        edit(
            "m_nested recursion",
            (s, b) -> b.setField(s.field("m_nested"), s.inner("")),
            "m_nested.name",
            inner,
            "must not be empty",
            "string.min_len"),
        edit(
            "d_required duration.required",
            (s, b) -> b.clearField(s.field("d_required")),
            "d_required",
            "trellis.test.Sample.d_required",
            "is required",
            "duration.required"),
        set("d_gt", Durations.fromSeconds(1), "must be greater than 1s", "duration.gt"),
        set(
            "d_lte",
            Durations.add(Durations.fromMillis(1500), Durations.fromNanos(1)),
            "must be less than or equal to 1.5s",
            "duration.lte"),
        set("d_in", Durations.fromSeconds(3), "must be one of [1s, 2s]", "duration.in"),
        set("d_const", Durations.fromSeconds(4), "must equal 3s", "duration.const"),
        set("d_range", Durations.fromSeconds(2), "must be less than 2s", "duration.lt"),
        set(
            "d_range",
            Durations.fromMillis(999),
            "must be greater than or equal to 1s",
            "duration.gte"),
        edit(
            "t_required timestamp.required",
            (s, b) -> b.clearField(s.field("t_required")),
            "t_required",
            "trellis.test.Sample.t_required",
            "is required",
            "timestamp.required"),
        set(
            "t_gt",
            Timestamps.fromSeconds(1000),
            "must be greater than 1970-01-01T00:16:40Z",
            "timestamp.gt"),
        edit(
            "a_required any.required",
            (s, b) -> b.clearField(s.field("a_required")),
            "a_required",
            "trellis.test.Sample.a_required",
            "is required",
            "any.required"),
        set(
            "a_in",
            Any.pack(Timestamps.fromSeconds(1)),
            "must be one of ['type.googleapis.com/google.protobuf.Duration']",
            "any.in"),
        set(
            "a_not_in",
            Any.pack(Timestamps.fromSeconds(1)),
            "must not be one of ['type.googleapis.com/google.protobuf.Timestamp']",
            "any.not_in"),
        edit(
            "Any recursion",
            (s, b) -> b.setField(s.field("a_required"), pack(s.inner(""))),
            "a_required.name",
            inner,
            "must not be empty",
            "string.min_len"),
        set("w_uint32", UInt32Value.of(0), "must be greater than or equal to 1", "uint32.gte"),
        set("w_string", StringValue.of(""), "must not be empty", "string.min_len"),
        set("r_min", List.of("a"), "must have at least 2 items", "repeated.min_items"),
        set("r_max", List.of("a", "b"), "must have at most 1 item", "repeated.max_items"),
        set("r_unique", List.of("a", "a"), "must not contain duplicates", "repeated.unique"),
        edit(
            "r_items repeated.items",
            (s, b) -> b.setField(s.field("r_items"), List.of("a", "")),
            "r_items[1]",
            "trellis.test.Sample.r_items",
            "must not be empty",
            "repeated.items.string.min_len"),
        edit(
            "r_msgs recursion",
            (s, b) -> b.setField(s.field("r_msgs"), List.of(s.inner("a"), s.inner(""))),
            "r_msgs[1].name",
            inner,
            "must not be empty",
            "string.min_len"),
        set("r_ignore_empty", List.of("a"), "must have at least 2 items", "repeated.min_items"),
        set("map_min", List.of(), "must not be empty", "map.min_pairs"),
        edit(
            "map_max map.max_pairs",
            (s, b) ->
                b.setField(
                    s.field("map_max"),
                    List.of(s.entry("map_max", "a", "v"), s.entry("map_max", "b", "v"))),
            "map_max",
            "trellis.test.Sample.map_max",
            "must have at most 1 entry",
            "map.max_pairs"),
        edit(
            "map_keys map.keys",
            (s, b) -> b.setField(s.field("map_keys"), List.of(s.entry("map_keys", "k", "v"))),
            "map_keys[\"k\"]",
            "trellis.test.Sample.map_keys",
            "key must be at least 2 characters long",
            "map.keys.string.min_len"),
        edit(
            "map_values map.values",
            (s, b) -> b.setField(s.field("map_values"), List.of(s.entry("map_values", "k", "vv"))),
            "map_values[\"k\"]",
            "trellis.test.Sample.map_values",
            "must be at most 1 character long",
            "map.values.string.max_len"),
        edit(
            "map_msgs recursion",
            (s, b) ->
                b.setField(s.field("map_msgs"), List.of(s.entry("map_msgs", "k", s.inner("")))),
            "map_msgs[\"k\"].name",
            inner,
            "must not be empty",
            "string.min_len"),
        edit(
            "oneof.required",
            (s, b) -> b.clearField(s.field("c_a")),
            "choice",
            "trellis.test.Sample.choice",
            "must have one of 'c_a', 'c_b' set",
            "oneof.required"));
  }

  private static Any pack(Message m) {
    return Any.newBuilder()
        .setTypeUrl("type.googleapis.com/" + m.getDescriptorForType().getFullName())
        .setValue(m.toByteString())
        .build();
  }

  private List<Violation> validate(SampleProto sample, Message m) {
    return validator.validate(m, types(sample));
  }

  @Test
  void validSampleHasNoViolations() {
    assertThat(validate(SAMPLE, SAMPLE.valid().build())).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void breakingOneFieldGivesExactlyItsViolation(Case c) {
    DynamicMessage.Builder b = SAMPLE.valid();
    c.breakIt().accept(SAMPLE, b);
    assertThat(validate(SAMPLE, b.build())).containsExactly(c.expected());
  }

  /** Descriptors built without the extension registry keep the rules as unknown option fields. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void rulesReadFromUnknownOptionFieldsWorkTheSame(Case c) {
    SampleProto plain = PLAIN;
    assertThat(plain.field("f_float").getOptions().getUnknownFields().asMap()).isNotEmpty();
    assertThat(validate(plain, plain.valid().build())).isEmpty();
    DynamicMessage.Builder b = plain.valid();
    c.breakIt().accept(plain, b);
    assertThat(validate(plain, b.build())).containsExactly(c.expected());
  }

  @Test
  void skippedAndDisabledMessagesAreNotEntered() {
    DynamicMessage.Builder b = SAMPLE.valid();
    b.setField(SAMPLE.field("m_skip"), SAMPLE.inner(""));
    b.setField(SAMPLE.field("off"), SAMPLE.offMessage(""));
    assertThat(validate(SAMPLE, b.build())).isEmpty();
  }

  @Test
  void ignoreEmptySkipsDefaultValues() {
    DynamicMessage.Builder b = SAMPLE.valid();
    b.setField(SAMPLE.field("s_ignore_empty"), "");
    b.clearField(SAMPLE.field("r_ignore_empty"));
    assertThat(validate(SAMPLE, b.build())).isEmpty();
  }

  @Test
  void anyOfUnknownTypeOrWithBadBytesIsUnresolved() {
    DynamicMessage.Builder b = SAMPLE.valid();
    b.setField(
        SAMPLE.field("a_required"),
        Any.newBuilder().setTypeUrl("type.googleapis.com/trellis.test.Nope").build());
    b.setField(SAMPLE.field("m_nested"), SAMPLE.inner("x"));
    b.setField(
        SAMPLE.field("a_not_in"),
        Any.newBuilder()
            .setTypeUrl("type.googleapis.com/trellis.test.Inner")
            .setValue(ByteString.copyFrom(new byte[] {(byte) 0xff}))
            .build());
    assertThat(validate(SAMPLE, b.build()))
        .containsExactly(
            new Violation(
                Violation.Kind.UNRESOLVED_ANY,
                "a_required",
                "trellis.test.Sample.a_required",
                "holds type 'type.googleapis.com/trellis.test.Nope', which Trellis does not know",
                ""),
            new Violation(
                Violation.Kind.UNRESOLVED_ANY,
                "a_not_in",
                "trellis.test.Sample.a_not_in",
                "holds bytes that do not parse as trellis.test.Inner",
                ""));
  }

  @Test
  void timestampRulesRelativeToNowAreReportedAsUnsupported() {
    validate(SAMPLE, SAMPLE.valid().build());
    assertThat(validator.unsupportedRules())
        .containsExactly("trellis.test.Sample.t_lt_now: timestamp.lt_now");
  }
}
