package rnnbook.report;

import java.util.List;
import rnnbook.report.ReportContent.Cell;
import rnnbook.report.ReportContent.Figure;
import rnnbook.report.ReportContent.ModelSection;
import rnnbook.report.ReportContent.Row;

/** report.md: the page's tables as GitHub-flavoured Markdown, with the PNGs linked beside it. */
final class MarkdownReport {
  private MarkdownReport() {}

  static String render(ReportContent c) {
    StringBuilder b = new StringBuilder();
    b.append("# ").append(esc(c.title())).append("\n\n**").append(esc(c.status())).append("**\n\n");

    b.append("## Run configuration\n\n| setting | value |\n|---|---|\n");
    for (Row r : c.configuration()) {
      b.append("| ").append(esc(r.label())).append(" | ").append(esc(r.value())).append(" |\n");
    }

    b.append("\n## Results\n\n");
    table(b, ReportContent.RESULTS_HEADER, c.results().stream()
        .map(row -> row.cells().stream().map(Cell::text).toList()).toList());
    b.append('\n');
    for (String note : c.resultNotes()) {
      b.append(esc(note)).append("\n\n");
    }
    if (!c.missing().isEmpty() || !c.problems().isEmpty()) {
      b.append("### What is missing\n\n");
      c.missing().forEach(s -> b.append("- ").append(esc(s)).append('\n'));
      c.problems().forEach(s -> b.append("- ").append(esc(s)).append('\n'));
      b.append('\n');
    }
    if (c.sameStart() != null) {
      b.append("### Keras from the same start\n\n").append(esc(c.sameStart().intro())).append("\n\n");
      table(b, ReportContent.SAME_START_HEADER, c.sameStart().table());
      b.append('\n');
      c.sameStart().notes().forEach(n -> b.append(esc(n)).append("\n\n"));
    }
    c.overview().forEach(row -> figures(b, row));

    for (ModelSection m : c.models()) {
      b.append("## ").append(esc(m.key())).append("\n\n");
      if (m.summary() == null) {
        b.append("summary.txt is missing.\n\n");
      } else {
        b.append("```text\n").append(m.summary().stripTrailing()).append("\n```\n\n");
      }
      b.append("First five test predictions:\n\n");
      table(b, ReportContent.SAMPLES_HEADER, m.samples());
      b.append('\n');
      m.notes().forEach(n -> b.append(esc(n)).append("\n\n"));
      figures(b, m.figures());
    }
    if (c.study() != null) {
      b.append("## Several seeds: how often each model solves the problem\n\n").append(esc(c.study().intro()))
          .append("\n\n");
      table(b, ReportContent.STUDY_HEADER, c.study().table());
      b.append('\n');
      c.study().notes().forEach(n -> b.append(esc(n)).append("\n\n"));
      figures(b, c.study().figures());
    }
    if (c.gates() != null) {
      b.append("## The gates at work\n\n").append(esc(c.gates().explanation())).append("\n\n");
      for (ReportContent.GateSample s : c.gates().samples()) {
        b.append("### ").append(esc(s.model())).append("\n\n").append(esc(s.caption())).append("\n\n");
        figures(b, s.figures());
      }
    }
    return b.toString();
  }

  private static void table(StringBuilder b, List<String> header, List<List<String>> rows) {
    b.append('|');
    header.forEach(h -> b.append(' ').append(esc(h)).append(" |"));
    b.append("\n|");
    header.forEach(h -> b.append("---|"));
    b.append('\n');
    for (List<String> row : rows) {
      b.append('|');
      row.forEach(v -> b.append(' ').append(esc(v)).append(" |"));
      b.append('\n');
    }
  }

  private static void figures(StringBuilder b, List<Figure> figures) {
    for (Figure f : figures) {
      b.append("![").append(esc(f.caption())).append("](").append(HtmlReport.href(f.path())).append(")\n\n")
          .append(esc(f.caption())).append(" ([PNG](").append(HtmlReport.href(f.path())).append(')');
      if (f.svg() != null) {
        b.append(", [SVG](").append(HtmlReport.href(f.svg())).append(')');
      }
      b.append(")\n\n");
    }
  }

  /** Text safe in a table cell or a paragraph: Markdown's punctuation escaped, HTML's too. */
  static String esc(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (char ch : s.toCharArray()) {
      switch (ch) {
        case '\\', '|', '*', '_', '`', '[', ']', '#' -> b.append('\\').append(ch);
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '\n' -> b.append(' ');
        default -> b.append(ch);
      }
    }
    return b.toString();
  }
}
