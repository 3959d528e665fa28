package rnnbook.report;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import rnnbook.report.ReportContent.Cell;
import rnnbook.report.ReportContent.Figure;
import rnnbook.report.ReportContent.ModelSection;
import rnnbook.report.ReportContent.Row;

/** report.html: one page with inline CSS and no script; images are the PNGs beside it. */
final class HtmlReport {
  private static final String CSS = """
      body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#222;
        max-width:1320px;margin:0 auto;padding:16px 24px 48px}
      h1{font-size:1.6em;margin:.4em 0}h2{margin-top:1.8em;border-bottom:1px solid #ddd;padding-bottom:.2em}
      .status{font-size:1.1em;padding:8px 12px;border-radius:6px;background:#e8f4ea;border:1px solid #9c9}
      .status.partial{background:#fff4e0;border-color:#e0b060}
      nav a{margin-right:1em}
      table{border-collapse:collapse;margin:.6em 0}
      th,td{border:1px solid #ccc;padding:3px 9px;text-align:left;vertical-align:top}
      th{background:#f2f2f2}td.num{text-align:right;font-variant-numeric:tabular-nums}
      tr.book td{color:#666;background:#fafafa}tr.keras td{background:#f4faf4}td.na{color:#999;font-style:italic}
      pre{background:#f7f7f7;border:1px solid #e2e2e2;padding:8px;font-size:12.5px;overflow-x:auto}
      .row{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}
      figure{margin:0 0 12px;max-width:100%}figure img{max-width:100%;height:auto;border:1px solid #eee}
      figcaption{font-size:.9em;color:#555;max-width:640px}
      ul.problems li{color:#8a5a00}
      """;

  private HtmlReport() {}

  static String render(ReportContent c) {
    StringBuilder b = new StringBuilder();
    b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<link rel=\"icon\" href=\"data:,\">\n")
        .append("<title>").append(esc(c.title())).append("</title>\n<style>\n").append(CSS)
        .append("</style>\n</head>\n<body>\n");
    b.append("<h1>").append(esc(c.title())).append("</h1>\n");
    b.append("<p class=\"status").append(c.complete() ? "" : " partial").append("\" id=\"status\">")
        .append(esc(c.status())).append("</p>\n<nav>");
    b.append("<a href=\"#configuration\">configuration</a><a href=\"#results\">results</a>");
    for (ModelSection m : c.models()) {
      b.append("<a href=\"#model-").append(esc(m.key())).append("\">").append(esc(m.key())).append("</a>");
    }
    if (c.study() != null) {
      b.append("<a href=\"#study\">study</a>");
    }
    if (c.gates() != null) {
      b.append("<a href=\"#gates\">gates</a>");
    }
    b.append("</nav>\n");

    b.append("<h2 id=\"configuration\">Run configuration</h2>\n<table id=\"configuration-table\">\n");
    for (Row r : c.configuration()) {
      b.append("<tr><th>").append(esc(r.label())).append("</th><td>").append(esc(r.value())).append("</td></tr>\n");
    }
    b.append("</table>\n");

    b.append("<h2 id=\"results\">Results</h2>\n");
    resultsTable(b, c.results());
    for (String note : c.resultNotes()) {
      b.append("<p class=\"note\">").append(esc(note)).append("</p>\n");
    }
    if (!c.missing().isEmpty() || !c.problems().isEmpty()) {
      b.append("<h3 id=\"missing\">What is missing</h3>\n<ul class=\"problems\">\n");
      for (String s : c.missing()) {
        b.append("<li class=\"missing-model\">").append(esc(s)).append("</li>\n");
      }
      for (String s : c.problems()) {
        b.append("<li>").append(esc(s)).append("</li>\n");
      }
      b.append("</ul>\n");
    }
    if (c.sameStart() != null) {
      sameStart(b, c.sameStart());
    }
    c.overview().forEach(row -> figures(b, row));

    for (ModelSection m : c.models()) {
      b.append("<section id=\"model-").append(esc(m.key())).append("\">\n<h2>").append(esc(m.key()))
          .append("</h2>\n<div class=\"row\">\n<div><h3>Model summary</h3>\n");
      b.append(m.summary() == null ? "<p class=\"na\">summary.txt is missing</p>\n"
          : "<pre class=\"summary\">" + esc(m.summary()) + "</pre>\n");
      b.append("</div>\n<div><h3>First five test predictions</h3>\n<table class=\"samples\">\n<tr>");
      ReportContent.SAMPLES_HEADER.forEach(h -> b.append("<th>").append(esc(h)).append("</th>"));
      b.append("</tr>\n");
      for (List<String> s : m.samples()) {
        b.append("<tr>");
        s.forEach(v -> b.append("<td class=\"num\">").append(esc(v)).append("</td>"));
        b.append("</tr>\n");
      }
      b.append("</table>\n</div>\n</div>\n");
      for (String note : m.notes()) {
        b.append("<p class=\"note\">").append(esc(note)).append("</p>\n");
      }
      figures(b, m.figures());
      b.append("</section>\n");
    }
    if (c.study() != null) {
      study(b, c.study());
    }
    if (c.gates() != null) {
      gates(b, c.gates());
    }
    b.append("</body>\n</html>\n");
    return b.toString();
  }

  private static void study(StringBuilder b, ReportContent.StudySection s) {
    b.append("<section id=\"study\">\n<h2>Several seeds: how often each model solves the problem</h2>\n");
    b.append("<p id=\"study-intro\">").append(esc(s.intro())).append("</p>\n");
    modelTable(b, "study-table", ReportContent.STUDY_HEADER, s.table(), s.notes());
    figures(b, s.figures());
    b.append("</section>\n");
  }

  private static void gates(StringBuilder b, ReportContent.GatesSection g) {
    b.append("<section id=\"gates\">\n<h2>The gates at work</h2>\n<p id=\"gates-explanation\">")
        .append(esc(g.explanation())).append("</p>\n");
    for (ReportContent.GateSample s : g.samples()) {
      b.append("<h3 id=\"gates-").append(esc(s.model())).append("\">").append(esc(s.model())).append("</h3>\n<p>")
          .append(esc(s.caption())).append("</p>\n");
      for (Figure f : s.figures()) {
        figures(b, List.of(f));
      }
    }
    b.append("</section>\n");
  }

  private static void sameStart(StringBuilder b, ReportContent.SameStartSection s) {
    b.append("<h3 id=\"same-start\">Keras from the same start</h3>\n<p>").append(esc(s.intro())).append("</p>\n");
    modelTable(b, "same-start-table", ReportContent.SAME_START_HEADER, s.table(), s.notes());
  }

  /** A table of one row per model (the model's name heads the row), then its notes. */
  private static void modelTable(StringBuilder b, String id, List<String> header, List<List<String>> rows,
      List<String> notes) {
    b.append("<table id=\"").append(id).append("\">\n<tr>");
    header.forEach(h -> b.append("<th>").append(esc(h)).append("</th>"));
    b.append("</tr>\n");
    for (List<String> row : rows) {
      b.append("<tr data-model=\"").append(esc(row.get(0))).append("\"><th>").append(esc(row.get(0))).append("</th>");
      row.subList(1, row.size()).forEach(v -> b.append("<td class=\"num\">").append(esc(v)).append("</td>"));
      b.append("</tr>\n");
    }
    b.append("</table>\n");
    notes.forEach(n -> b.append("<p class=\"note\">").append(esc(n)).append("</p>\n"));
  }

  /** A model's rows follow each other (this run, Keras from the same start, the notebook), sharing the model cell. */
  private static void resultsTable(StringBuilder b, List<ReportContent.ResultRow> rows) {
    b.append("<table id=\"results-table\">\n<tr>");
    ReportContent.RESULTS_HEADER.forEach(h -> b.append("<th>").append(esc(h)).append("</th>"));
    b.append("</tr>\n");
    for (int i = 0; i < rows.size(); i++) {
      List<Cell> row = rows.get(i).cells();
      String model = rows.get(i).model();
      b.append("<tr class=\"").append(rows.get(i).kind()).append("\" data-model=\"").append(esc(model)).append("\">");
      if (i == 0 || !rows.get(i - 1).model().equals(model)) {
        int span = (int) rows.stream().filter(r -> r.model().equals(model)).count();
        b.append("<th rowspan=\"").append(span).append("\">").append(esc(model)).append("</th>");
      }
      for (int j = 1; j < row.size(); j++) {
        Cell cell = row.get(j);
        String text = cell.text();
        boolean na = text.equals(Formats.UNAVAILABLE) || text.equals("missing");
        b.append("<td class=\"").append(na ? "na" : j == 1 ? "run" : "num").append('"');
        if (cell.value() != null) {
          b.append(" data-value=\"").append(esc(cell.value())).append('"');
        }
        b.append('>').append(esc(text)).append("</td>");
      }
      b.append("</tr>\n");
    }
    b.append("</table>\n");
  }

  private static void figures(StringBuilder b, List<Figure> figures) {
    if (figures.isEmpty()) {
      return;
    }
    b.append("<div class=\"row figures\">\n");
    for (Figure f : figures) {
      b.append("<figure><img src=\"").append(esc(href(f.path()))).append("\" alt=\"").append(esc(f.caption()))
          .append("\"><figcaption>").append(esc(f.caption()));
      if (f.svg() != null) {
        b.append(" (<a href=\"").append(esc(href(f.svg()))).append("\">SVG</a>)");
      }
      b.append("</figcaption></figure>\n");
    }
    b.append("</div>\n");
  }

  /** A relative URL for a '/'-separated path. */
  static String href(String path) {
    try {
      String raw = new URI(null, null, path, null).getRawPath();
      int colon = raw.indexOf(':');
      // "a:b/c.png" would read as a URL scheme
      return colon >= 0 && (raw.indexOf('/') < 0 || colon < raw.indexOf('/')) ? "./" + raw : raw;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a relative path: " + path, e);
    }
  }

  /** Text as HTML character data or a quoted attribute value. */
  static String esc(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (char ch : s.toCharArray()) {
      switch (ch) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(ch);
      }
    }
    return b.toString();
  }
}
