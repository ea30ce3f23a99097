package dev.trellis.analyze.diff;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonDiffTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static List<String> diff(String before, String after) throws Exception {
    JsonNode a = JSON.readTree(before);
    JsonNode b = JSON.readTree(after);
    return JsonDiff.between(a, b).stream()
        .map(c -> c.path() + ": " + c.before() + " -> " + c.after())
        .toList();
  }

  @Test
  void equalTreesHaveNoChanges() throws Exception {
    assertThat(diff("{\"a\": [1, {\"b\": 2}]}", "{\"a\": [1, {\"b\": 2}]}")).isEmpty();
  }

  @Test
  void fieldsChangedAddedAndRemovedInOrderOfTheBeforeThenTheAfterTree() throws Exception {
    assertThat(
            diff(
                "{\"a\": 1, \"b\": {\"c\": \"x\"}, \"d\": true}",
                "{\"e\": 5, \"b\": {\"c\": \"y\"}, \"a\": 1}"))
        .containsExactly("b.c: \"x\" -> \"y\"", "d: true -> null", "e: null -> 5");
  }

  @Test
  void itemsWithDistinctNamesAreMatchedByName() throws Exception {
    String before = "{\"vh\": [{\"name\": \"ledger\", \"t\": \"2s\"}, {\"name\": \"fraud\"}]}";
    String after =
        "{\"vh\": [{\"name\": \"audit\"}, {\"name\": \"ledger\", \"t\": \"3s\"}, {\"name\": \"fraud\"}]}";
    assertThat(diff(before, after))
        .containsExactly(
            "vh[ledger].t: \"2s\" -> \"3s\"", "vh[audit]: null -> {\"name\":\"audit\"}");
    assertThat(diff("{\"vh\": []}", "{\"vh\": [{\"name\": \"a\"}]}"))
        .containsExactly("vh[a]: null -> {\"name\":\"a\"}");
  }

  @Test
  void otherListsOfObjectsByIndexAndListsOfValuesWhole() throws Exception {
    assertThat(diff("{\"r\": [{\"p\": \"/\"}]}", "{\"r\": [{\"p\": \"/a\"}, {\"p\": \"/\"}]}"))
        .containsExactly("r[0].p: \"/\" -> \"/a\"", "r[1]: null -> {\"p\":\"/\"}");
    assertThat(diff("{\"d\": [\"a\", \"b\"]}", "{\"d\": [\"a\", \"c\"]}"))
        .containsExactly("d: [\"a\",\"b\"] -> [\"a\",\"c\"]");
    assertThat(
            diff("{\"x\": [{\"name\": \"a\"}, {\"name\": \"a\"}]}", "{\"x\": [{\"name\": \"a\"}]}"))
        .containsExactly("x[1]: {\"name\":\"a\"} -> null");
  }
}
