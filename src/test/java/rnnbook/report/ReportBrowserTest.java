package rnnbook.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * report.html in a real browser: Debian's headless chromium opens it from disk, every image must
 * load and the console must stay free of errors. Screenshots are kept under target/ for a human.
 * Skips when /usr/bin/chromium or /usr/bin/chromedriver is absent (.ci/run installs both).
 */
class ReportBrowserTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Path TARGET = Path.of("target");

  private static ChromeDriver driver;
  private static Path profile;

  @BeforeAll
  static void startBrowser() throws IOException {
    Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "skipping the browser check: it needs " + CHROMIUM + " and " + CHROMEDRIVER
            + " (apt-get install chromium chromium-driver)");
    profile = Files.createTempDirectory("rnnbook-chromium-");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--user-data-dir=" + profile, "--window-size=1400,1000");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    // an explicit driver: Selenium Manager never looks for (or downloads) one
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    driver = new ChromeDriver(service, options);
  }

  @AfterAll
  static void stopBrowser() throws IOException {
    if (driver != null) {
      driver.quit();
    }
    if (profile != null) {
      try (var s = Files.walk(profile)) {
        s.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      }
    }
  }

  /** What the page reports after loading: images as [src, naturalWidth] and console errors. */
  record Loaded(List<List<Object>> images, List<String> errors) {}

  static Loaded open(Path html, Path screenshot) throws IOException {
    driver.manage().window().setSize(new Dimension(1400, 1000));
    driver.get(html.toUri().toString());
    JavascriptExecutor js = driver;
    new WebDriverWait(driver, Duration.ofSeconds(30)).until(d -> Boolean.TRUE.equals(js.executeScript(
        "return document.readyState === 'complete' && Array.from(document.images).every(i => i.complete)")));
    @SuppressWarnings("unchecked")
    List<List<Object>> images = (List<List<Object>>) js.executeScript(
        "return Array.from(document.images).map(i => [i.getAttribute('src'), i.naturalWidth])");
    List<String> errors = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).map(LogEntry::getMessage).toList();
    if (screenshot != null) {
      long height = (Long) js.executeScript("return document.documentElement.scrollHeight");
      driver.manage().window().setSize(new Dimension(1400, (int) Math.min(height + 40, 16000)));
      Files.createDirectories(screenshot.getParent());
      Files.write(screenshot, driver.getScreenshotAs(OutputType.BYTES));
    }
    return new Loaded(images, errors);
  }

  static void assertAllImagesLoadedAndNoConsoleError(Loaded page, int images) {
    assertEquals(images, page.images().size(), page.images().toString());
    for (List<Object> img : page.images()) {
      assertTrue(((Number) img.get(1)).longValue() > 0, "image did not load: " + img.get(0));
    }
    assertEquals(List.of(), page.errors(), "console errors");
  }

  @Test
  void everyImageLoadsWithoutConsoleErrors(@TempDir Path dir) throws IOException {
    Path results = TARGET.resolve("report-browser/results");
    deleteRecursively(results);
    ResultsFixture.complete(results);
    Report.write(results, ResultsFixture.book(dir.resolve("book")));
    Loaded page = open(results.resolve(Report.HTML).toAbsolutePath(), TARGET.resolve("report-screenshot.png"));
    assertAllImagesLoadedAndNoConsoleError(page, 15);
  }

  @Test
  void theStudyAndGatesSectionsLoadToo(@TempDir Path dir) throws IOException {
    Path results = TARGET.resolve("report-browser/study-gates");
    deleteRecursively(results);
    ResultsFixture.complete(results);
    ResultsFixture.study(results);
    ResultsFixture.gates(results);
    Report.write(results, ResultsFixture.book(dir.resolve("book")));
    Loaded page = open(results.resolve(Report.HTML).toAbsolutePath(), TARGET.resolve("report-study-gates-screenshot.png"));
    assertAllImagesLoadedAndNoConsoleError(page, 25);
  }

  @Test
  void anInterruptedRunsReportLoadsToo() throws IOException {
    Path results = TARGET.resolve("report-browser/interrupted");
    deleteRecursively(results);
    ResultsFixture.interrupted(results);
    Report.write(results, Path.of("no-such-book"));
    Loaded page = open(results.resolve(Report.HTML).toAbsolutePath(),
        TARGET.resolve("report-interrupted-screenshot.png"));
    assertAllImagesLoadedAndNoConsoleError(page, 6);
  }

  /** The check itself catches a broken image and its console error. */
  @Test
  void aMissingImageIsCaught(@TempDir Path dir) throws IOException {
    Path html = Files.writeString(dir.resolve("broken.html"),
        "<!DOCTYPE html><html><head><link rel=\"icon\" href=\"data:,\"></head>"
            + "<body><img src=\"missing.png\" alt=\"x\"></body></html>");
    Loaded page = open(html, null);
    assertEquals(0L, ((Number) page.images().get(0).get(1)).longValue());
    assertFalse(page.errors().isEmpty(), "the failed load is logged as an error");
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (var s = Files.walk(dir)) {
        s.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      }
    }
  }
}
