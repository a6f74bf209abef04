package org.maclip.function;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.jboss.logging.Logger;
import org.maclip.scoring.Bundle;
import org.maclip.scoring.ModelException;
import org.maclip.scoring.ModelIdentity;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Where the model bundle comes from: a local path (packaged with the function or in a layer) or
 * {@code s3://bucket/key}, downloaded once into a local cache folder named after the ETags of what
 * it downloads (the zip, or both files under a prefix), so a warm container, or a new one that
 * finds the cache, never downloads it again, and a new upload of any of them is picked up. A
 * download's sha256 is verified once, against its manifest, before the cache is used ({@link
 * ModelIdentity}: its record marks the cached bundle as verified; a bundle that fails is removed
 * from the cache), so the sha256 that results name is the model's.
 */
public final class ModelSource {
  private static final Logger LOG = Logger.getLogger(ModelSource.class);
  /**
   * The files of an unzipped bundle under an S3 prefix (docs/bundle.md): the manifest and the
   * model, which every bundle has, then its self-check's views, which bundles exported before
   * self-checks lack.
   */
  static final List<String> BUNDLE_FILES = Bundle.FILES;

  /** How many of {@link #BUNDLE_FILES} every bundle has. */
  private static final int REQUIRED_FILES = 2;

  private ModelSource() {}

  /** An {@code s3://bucket/key} location. */
  record S3Location(String bucket, String key) {
    static S3Location parse(String location) {
      String rest = location.substring("s3://".length());
      int slash = rest.indexOf('/');
      if (slash <= 0 || slash == rest.length() - 1) {
        throw new ModelException("model location '" + location
            + "' is not s3://bucket/key (a bundle .zip or a prefix holding " + BUNDLE_FILES + ")");
      }
      return new S3Location(rest.substring(0, slash), rest.substring(slash + 1));
    }

    boolean isZip() {
      return key.endsWith(".zip");
    }
  }

  public static boolean isS3(String location) {
    return location.startsWith("s3://");
  }

  /**
   * The local bundle path for a configured location; downloads from S3 when needed (the client
   * is asked for only then).
   */
  public static Path resolve(String location, Path cacheDir, Supplier<S3Client> s3) {
    if (location == null || location.isBlank()) {
      throw new ModelException("no model bundle configured: set maclip.model (environment"
          + " MACLIP_MODEL) to a bundle directory, a bundle .zip, or s3://bucket/key");
    }
    if (!isS3(location)) {
      return Path.of(location);
    }
    S3Location where = S3Location.parse(location);
    try {
      S3Client client = s3.get();
      Path bundle = where.isZip()
          ? fetchZip(where, cacheDir, client)
          : fetchPrefix(where, cacheDir, client);
      return verifiedOnce(location, bundle);
    } catch (SdkException | IOException e) {
      throw new ModelException("cannot fetch the model bundle " + location + ": "
          + e.getMessage(), e);
    }
  }

  /**
   * The downloaded bundle, its model's sha256 verified against its manifest unless its record
   * says it was; one that fails is deleted from the cache (a later try downloads it again).
   */
  private static Path verifiedOnce(String location, Path bundle) throws IOException {
    if (ModelIdentity.recorded(bundle).isPresent()) {
      return bundle;
    }
    long start = System.nanoTime();
    try {
      String sha256 = ModelIdentity.verifyAndRecord(bundle, null);
      LOG.infof("Model %s: sha256 %s verified in %d ms", location, sha256,
          (System.nanoTime() - start) / 1_000_000);
      return bundle;
    } catch (ModelException e) {
      if (Files.isDirectory(bundle)) {
        for (String file : BUNDLE_FILES) {
          Files.deleteIfExists(bundle.resolve(file));
        }
      } else {
        Files.deleteIfExists(bundle);
      }
      throw new ModelException("the model bundle " + location + " was downloaded but refused: "
          + e.getMessage(), e);
    }
  }

  private static Path fetchZip(S3Location where, Path cacheDir, S3Client s3) throws IOException {
    Head head = head(s3, where.bucket(), where.key());
    Path dir = cacheDir.resolve(cacheName(where, List.of(head.eTag())));
    Path zip = dir.resolve(where.key().substring(where.key().lastIndexOf('/') + 1));
    download(s3, where.bucket(), where.key(), head, zip);
    return zip;
  }

  /**
   * The bundle's files, in a folder named after their ETags: a new {@code maclip.json} (prompts,
   * defaults) over the same {@code visual.onnx} is a new bundle too. A file that not every bundle
   * has is skipped when the prefix lacks it.
   */
  private static Path fetchPrefix(S3Location where, Path cacheDir, S3Client s3)
      throws IOException {
    String prefix = where.key().endsWith("/") ? where.key() : where.key() + "/";
    List<String> files = new ArrayList<>();
    List<Head> heads = new ArrayList<>();
    for (int i = 0; i < BUNDLE_FILES.size(); i++) {
      String file = BUNDLE_FILES.get(i);
      try {
        heads.add(head(s3, where.bucket(), prefix + file));
        files.add(file);
      } catch (S3Exception e) {
        if (i < REQUIRED_FILES || e.statusCode() != 404) {
          throw e;
        }
      }
    }
    Path dir = cacheDir.resolve(cacheName(where, heads.stream().map(Head::eTag).toList()));
    for (int i = 0; i < files.size(); i++) {
      String file = files.get(i);
      download(s3, where.bucket(), prefix + file, heads.get(i), dir.resolve(file));
    }
    return dir;
  }

  /** An object's ETag as S3 gives it (quoted: the name, and what the download is pinned to). */
  private record Head(String eTag, long size) {}

  private static Head head(S3Client s3, String bucket, String key) {
    var response = s3.headObject(b -> b.bucket(bucket).key(key));
    return new Head(response.eTag(), response.contentLength());
  }

  /**
   * Refuses a download that the cache's file system cannot hold, before it starts: Lambda's /tmp
   * is its ephemeral storage (512 MB, the most SnapStart allows, in infra/template.yaml).
   */
  static void requireSpace(String object, long size, Path dir, long usable) {
    if (size > usable) {
      throw new ModelException(String.format(java.util.Locale.ROOT,
          "the model file %s needs %d MB, but maclip.model-cache (%s) has %d MB free; give the"
              + " function more ephemeral storage (EphemeralStorageMB, with SnapStart=false above"
              + " 512) or package the model with it", object, mib(size), dir, mib(usable)));
    }
  }

  private static long mib(long bytes) {
    return (bytes + (1 << 20) - 1) >> 20;
  }

  /**
   * One folder per location and content: a new upload of any of its objects (a new ETag) lands
   * beside the old one.
   */
  static String cacheName(S3Location where, List<String> eTags) {
    StringBuilder name = new StringBuilder(where.bucket()).append('_').append(where.key());
    for (String eTag : eTags) {
      name.append('_').append(SourceReader.unquote(eTag));
    }
    return name.toString().replaceAll("[^A-Za-z0-9._-]", "_");
  }

  /**
   * Downloads to a temporary file and moves it in place, so a half file is never used; the
   * download is pinned to the ETag the folder is named after (an object replaced in between is
   * refused, never cached under the old name).
   */
  private static void download(S3Client s3, String bucket, String key, Head head, Path target)
      throws IOException {
    if (Files.isRegularFile(target)) {
      LOG.infof("Model file s3://%s/%s: cached at %s", bucket, key, target);
      return;
    }
    Files.createDirectories(target.getParent());
    requireSpace("s3://" + bucket + "/" + key, head.size(), target.getParent(),
        Files.getFileStore(target.getParent()).getUsableSpace());
    Path partial = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".part");
    try {
      Files.delete(partial);
      long start = System.nanoTime();
      s3.getObject(b -> b.bucket(bucket).key(key).ifMatch(head.eTag()), partial);
      Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
      LOG.infof("Model file s3://%s/%s: downloaded to %s in %d ms", bucket, key, target,
          (System.nanoTime() - start) / 1_000_000);
    } finally {
      Files.deleteIfExists(partial);
    }
  }
}
