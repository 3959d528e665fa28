package rnnbook.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The pipe tables of a Markdown text, cells as written (trimmed, no inline markup removed). */
final class MarkdownTables {
  private MarkdownTables() {}

  /** A table: its header cells and its body rows. */
  record Table(List<String> header, List<List<String>> rows) {
    /** The first column whose header starts with {@code prefix}, ignoring case. */
    Optional<Integer> column(String prefix) {
      String p = prefix.toLowerCase(Locale.ROOT);
      for (int i = 0; i < header.size(); i++) {
        if (header.get(i).toLowerCase(Locale.ROOT).startsWith(p)) {
          return Optional.of(i);
        }
      }
      return Optional.empty();
    }

    /** True when some header cell starts with {@code prefix}, ignoring case. */
    boolean has(String prefix) {
      return column(prefix).isPresent();
    }
  }

  static List<Table> parse(String markdown) {
    List<Table> tables = new ArrayList<>();
    List<List<String>> lines = new ArrayList<>();
    for (String line : (markdown + "\n").split("\n", -1)) {
      String t = line.strip();
      if (t.startsWith("|")) {
        lines.add(cells(t));
        continue;
      }
      if (lines.size() >= 2 && isRule(lines.get(1))) {
        tables.add(new Table(lines.get(0), List.copyOf(lines.subList(2, lines.size()))));
      }
      lines.clear();
    }
    return tables;
  }

  private static List<String> cells(String line) {
    String body = line.substring(1, line.endsWith("|") && line.length() > 1 ? line.length() - 1 : line.length());
    List<String> out = new ArrayList<>();
    for (String c : body.split("(?<!\\\\)\\|", -1)) {
      out.add(c.strip().replace("\\|", "|"));
    }
    return List.copyOf(out);
  }

  private static boolean isRule(List<String> cells) {
    return cells.stream().allMatch(c -> c.matches(":?-+:?"));
  }
}
