package org.maclip.imagej;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.MalformedURLException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * Downloads one file over http(s) into a file, with progress and cancel. Java's own {@link
 * HttpURLConnection} does the work, so the JVM's proxy settings hold (ImageJ's Edit › Options ›
 * Proxy Settings... sets them): {@code http.proxyHost}, {@code https.proxyHost} and the rest, read
 * by {@link java.net.ProxySelector#getDefault()}. Redirects are followed, from http to https too,
 * never from https down to http. Every failure is one {@link UserError} line naming the address
 * and the cause; a download shorter than its Content-Length is a failure, not a file.
 */
final class Download {
  static final int CONNECT_TIMEOUT_MS = 30_000;
  static final int READ_TIMEOUT_MS = 60_000;
  static final int MAX_REDIRECTS = 10;

  /**
   * The most a download may bring, and what sets it, in words ({@code the 120.0 MB free in
   * /path}): a larger announced size is refused before the download, a larger body when it
   * passes the limit.
   */
  record Limit(long bytes, String what) {}

  /** Told how far the download is; asked whether to stop. */
  interface Progress {
    /**
     * @param done bytes received so far
     * @param total the Content-Length, or -1 when the server did not say
     */
    void update(long done, long total);

    /** True to stop the download (Esc). */
    boolean cancelled();
  }

  private Download() {}

  /** True for an http:// or https:// address. */
  static boolean isWebAddress(String text) {
    return text.trim().toLowerCase(Locale.ROOT).matches("https?://.+");
  }

  /**
   * Downloads {@code address} into {@code file} (created or overwritten), at most {@code limit}.
   *
   * @throws UserError with one line naming the address (or the file) and the cause; {@code file}
   *     may then hold part of the download: the caller deletes it
   */
  static void fetch(String address, Path file, Progress progress, Limit limit)
      throws UserError {
    URL url = parse(address);
    if (progress.cancelled()) {
      throw cancelled(address, 0, -1);
    }
    HttpURLConnection connection = connect(address, url);
    try {
      long total = connection.getContentLengthLong();
      String type = connection.getContentType();
      if (type != null && type.toLowerCase(Locale.ROOT).startsWith("text/html")) {
        throw new UserError("cannot download " + address + ": it is a web page, not a bundle"
            + " .zip (give the address of the .zip file itself)");
      }
      if (total > limit.bytes()) {
        throw new UserError("cannot download " + address + ": it is " + megabytes(total)
            + " MB, more than " + limit.what() + "; nothing was downloaded");
      }
      try (InputStream in = body(address, connection)) {
        copy(address, in, total, file, progress, limit);
      } catch (IOException e) { // closing the connection's stream: nothing to tell
        // the file is whole (its length was checked), so a failing close does not matter
      }
    } finally {
      connection.disconnect();
    }
  }

  private static URL parse(String address) throws UserError {
    try {
      URL url = URI.create(address.trim()).toURL();
      if (url.getHost() == null || url.getHost().isEmpty()) {
        throw new IllegalArgumentException("no host");
      }
      return url;
    } catch (IllegalArgumentException | MalformedURLException e) {
      throw new UserError("'" + address + "' is not a web address (" + e.getMessage() + ")");
    }
  }

  /** The connection once it answered 200, after following redirects. */
  private static HttpURLConnection connect(String address, URL first) throws UserError {
    URL url = first;
    for (int hops = 0; ; hops++) {
      HttpURLConnection c;
      int code;
      String reason;
      try {
        c = (HttpURLConnection) url.openConnection(); // the JVM's ProxySelector applies
        c.setInstanceFollowRedirects(false); // followed below, http to https included
        c.setConnectTimeout(CONNECT_TIMEOUT_MS);
        c.setReadTimeout(READ_TIMEOUT_MS);
        c.setRequestProperty("User-Agent", "MA-CLIP-ImageJ");
        c.setRequestProperty("Accept-Encoding", "identity"); // Content-Length is the file's
        code = c.getResponseCode();
        reason = c.getResponseMessage();
      } catch (IOException e) {
        throw new UserError("cannot download " + address + ": " + unreachable(url, e));
      }
      if (code == HttpURLConnection.HTTP_OK) {
        return c;
      }
      String location = c.getHeaderField("Location");
      c.disconnect();
      if (code / 100 == 3 && location != null) {
        URL next;
        try {
          next = url.toURI().resolve(location.trim()).toURL();
        } catch (URISyntaxException | IllegalArgumentException | MalformedURLException e) {
          throw new UserError("cannot download " + address + ": it redirects to a bad address ("
              + location + ")");
        }
        String protocol = next.getProtocol().toLowerCase(Locale.ROOT);
        if (!protocol.equals("https") && !(protocol.equals("http")
            && url.getProtocol().equalsIgnoreCase("http"))) {
          throw new UserError("cannot download " + address + ": it redirects to " + next
              + ", which is not a secure (https) address");
        }
        if (hops >= MAX_REDIRECTS) {
          throw new UserError("cannot download " + address + ": more than " + MAX_REDIRECTS
              + " redirects");
        }
        url = next;
        continue;
      }
      throw new UserError("cannot download " + address + ": HTTP " + code
          + (reason == null || reason.isBlank() ? "" : " " + reason.trim())
          + (code == HttpURLConnection.HTTP_NOT_FOUND ? " (no file at that address)" : "")
          + (code == HttpURLConnection.HTTP_PROXY_AUTH
              ? " (set the proxy in Edit > Options > Proxy Settings...)" : ""));
    }
  }

  /** Why a server could not be reached, in words. */
  private static String unreachable(URL url, IOException e) {
    String host = url.getHost();
    int port = url.getPort() < 0 ? url.getDefaultPort() : url.getPort();
    if (e instanceof UnknownHostException) {
      return "unknown host '" + host + "' (check the address, the network, or the proxy in"
          + " Edit > Options > Proxy Settings...)";
    }
    if (e instanceof ConnectException) {
      return "cannot connect to " + host + ":" + port + " (" + describe(e) + ")";
    }
    if (e instanceof SocketTimeoutException) {
      return "no answer from " + host + ":" + port + " (" + describe(e) + ")";
    }
    if (e instanceof SSLException) {
      return "the secure connection to " + host + " failed (" + describe(e) + ")";
    }
    return describe(e);
  }

  private static InputStream body(String address, HttpURLConnection c) throws UserError {
    try {
      return c.getInputStream();
    } catch (IOException e) {
      throw new UserError("cannot download " + address + ": " + describe(e));
    }
  }

  /**
   * Copies the body into the file. Reading and writing fail with different messages: the network
   * (a download cut short) or the disk (full, say).
   */
  static void copy(
      String address, InputStream in, long total, Path file, Progress progress, Limit limit)
      throws UserError {
    long done = 0;
    byte[] buffer = new byte[1 << 16];
    OutputStream out = null;
    try {
      out = Files.newOutputStream(file);
      while (true) {
        int n;
        try {
          n = in.read(buffer);
        } catch (IOException e) {
          throw new UserError(cutShort(address, done, total, describe(e)));
        }
        if (n < 0) {
          break;
        }
        done += n;
        if (done > limit.bytes()) {
          throw new UserError("the download of " + address + " passed " + limit.what()
              + " after " + size(done, total) + "; nothing was installed");
        }
        out.write(buffer, 0, n);
        progress.update(done, total);
        if (progress.cancelled()) {
          throw cancelled(address, done, total);
        }
      }
      out.close();
    } catch (IOException e) { // the file's side: opening, writing or closing it
      throw new UserError("cannot save the download of " + address + " in " + file.getParent()
          + ": " + describe(e));
    } finally {
      closeQuietly(out);
    }
    if (total >= 0 && done != total) {
      throw new UserError(cutShort(address, done, total, "the connection closed early"));
    }
  }

  private static String cutShort(String address, long done, long total, String why) {
    return "the download of " + address + " was cut short after " + size(done, total) + " ("
        + why + "); nothing was installed: try again";
  }

  private static UserError cancelled(String address, long done, long total) {
    return new UserError("the download of " + address + " was cancelled (Esc) after "
        + size(done, total) + "; nothing was installed");
  }

  /** {@code 1.2 of 138.0 MB}, or {@code 1.2 MB} when the total is unknown. */
  static String size(long done, long total) {
    return total >= 0 ? megabytes(done) + " of " + megabytes(total) + " MB"
        : megabytes(done) + " MB";
  }

  static String megabytes(long bytes) {
    return String.format(Locale.ROOT, "%.1f", bytes / 1e6);
  }

  /**
   * An exception in words: its message, or its kind when it has none (file errors whose message
   * is only the path say what happened to it).
   */
  static String describe(Exception e) {
    if (e instanceof AccessDeniedException a) {
      return "permission denied (" + a.getFile() + ")";
    }
    if (e instanceof NoSuchFileException n) {
      return "no such file or folder (" + n.getFile() + ")";
    }
    if (e instanceof FileAlreadyExistsException f) {
      return "it already exists (" + f.getFile() + ")";
    }
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }

  private static void closeQuietly(OutputStream out) {
    if (out == null) {
      return;
    }
    try {
      out.close();
    } catch (IOException e) {
      // already reported, or the copy failed before
    }
  }
}
