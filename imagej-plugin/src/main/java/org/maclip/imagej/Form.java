package org.maclip.imagej;

import ij.IJ;
import ij.Macro;
import ij.gui.GenericDialog;
import java.awt.GraphicsEnvironment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A command's parameters, declared once and answered either by a {@link GenericDialog} (which
 * shows itself, or replays a macro's options and records them) or, with no display, straight from
 * the macro options, since a GenericDialog cannot even be built there. The first word of each
 * label, lower-cased, is the macro key: labels are the macro API.
 */
final class Form {
  private enum Kind { TEXT, FILE, FOLDER, NUMBER, FLAG, CHOICE, LISTED }

  private record Field(Kind kind, String label, Object initial, String[] items, int digits) {
    String key() {
      return Macro.trimKey(label);
    }
  }

  private final String title;
  private final List<Field> fields = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  Form(String title) {
    this.title = title;
  }

  Form text(String label, String initial) {
    return add(new Field(Kind.TEXT, label, initial, null, 0));
  }

  /** A path with a file chooser (a bundle folder is chosen through its maclip.json). */
  Form file(String label, String initial) {
    return add(new Field(Kind.FILE, label, initial, null, 0));
  }

  Form folder(String label, String initial) {
    return add(new Field(Kind.FOLDER, label, initial, null, 0));
  }

  Form number(String label, double initial, int digits) {
    return add(new Field(Kind.NUMBER, label, initial, null, digits));
  }

  Form flag(String label, boolean initial) {
    return add(new Field(Kind.FLAG, label, initial, null, 0));
  }

  Form choice(String label, String[] items, String initial) {
    return add(new Field(Kind.CHOICE, label, initial, items, 0));
  }

  /**
   * A choice of the listed values in the dialog, while a macro may give any value (installed
   * models by name, and a macro may still give a path).
   */
  Form listed(String label, String[] items, String initial) {
    return add(new Field(Kind.LISTED, label, initial, items, 0));
  }

  /** A line of help text in the dialog (nothing in macros). */
  Form note(String text) {
    notes.add(text);
    return this;
  }

  /** Wide enough to show the whole value (ImageJ's default, 6 columns, cuts 89478485 short). */
  static int columns(double value, int digits) {
    return Math.max(6, IJ.d2s(value, digits).length() + 2);
  }

  private Form add(Field field) {
    fields.add(field);
    return this;
  }

  /**
   * The answers, or empty when the user cancelled the dialog.
   *
   * @throws IllegalArgumentException for a macro value that is not a number or not a choice
   */
  Optional<Answers> ask() {
    if (GraphicsEnvironment.isHeadless()) {
      return Optional.of(fromMacro(Macro.getOptions()));
    }
    return fromDialog();
  }

  /** Answers read from macro options without a dialog; no options gives the initial values. */
  Answers fromMacro(String options) {
    Map<String, Object> values = new HashMap<>();
    for (Field f : fields) {
      values.put(f.key(), options == null ? f.initial() : macroValue(f, options));
    }
    return new Answers(values);
  }

  private static Object macroValue(Field f, String options) {
    return switch (f.kind()) {
      case FLAG -> hasWord(options, f.key());
      case NUMBER -> number(f, Macro.getValue(options, f.key(), null));
      case CHOICE -> choice(f, Macro.getValue(options, f.key(), (String) f.initial()));
      default -> Macro.getValue(options, f.key(), (String) f.initial());
    };
  }

  private static Object number(Field f, String text) {
    if (text == null) {
      return f.initial();
    }
    try {
      return Double.parseDouble(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(f.key() + "=" + text + " is not a number");
    }
  }

  private static String choice(Field f, String text) {
    for (String item : f.items()) {
      if (item.equalsIgnoreCase(text.trim())) {
        return item;
      }
    }
    throw new IllegalArgumentException(
        f.key() + "=" + text + " is not one of " + String.join(", ", f.items()));
  }

  /**
   * True when {@code key} stands alone as a word of the options, outside any [bracketed value]
   * (how GenericDialog reads a ticked checkbox).
   */
  static boolean hasWord(String options, String key) {
    String padded = " " + options + " ";
    int depth = 0;
    for (int i = 0; i < padded.length(); i++) {
      char ch = padded.charAt(i);
      if (ch == '[') {
        depth++;
      } else if (ch == ']') {
        depth = Math.max(0, depth - 1);
      } else if (depth == 0 && ch == ' '
          && padded.startsWith(key.toLowerCase(Locale.US) + " ", i + 1)) {
        return true;
      }
    }
    return false;
  }

  private Optional<Answers> fromDialog() {
    GenericDialog gd = new GenericDialog(title);
    for (Field f : fields) {
      switch (f.kind()) {
        case TEXT -> gd.addStringField(f.label(), (String) f.initial(), 30);
        case FILE -> gd.addFileField(f.label(), (String) f.initial(), 40);
        case FOLDER -> gd.addDirectoryField(f.label(), (String) f.initial(), 40);
        case NUMBER -> gd.addNumericField(f.label(), (Double) f.initial(), f.digits(),
            columns((Double) f.initial(), f.digits()), null);
        case FLAG -> gd.addCheckbox(f.label(), (Boolean) f.initial());
        case CHOICE, LISTED -> gd.addChoice(f.label(), f.items(), (String) f.initial());
      }
    }
    for (String note : notes) {
      gd.addMessage(note);
    }
    gd.showDialog();
    if (gd.wasCanceled()) {
      return Optional.empty();
    }
    Map<String, Object> values = new HashMap<>();
    for (Field f : fields) {
      Object value = switch (f.kind()) {
        case TEXT, FILE, FOLDER -> gd.getNextString();
        case NUMBER -> gd.getNextNumber();
        case FLAG -> gd.getNextBoolean();
        case CHOICE, LISTED -> gd.getNextChoice(); // in a macro: the macro's value, whatever
      };
      values.put(f.key(), value);
    }
    if (gd.invalidNumber()) {
      throw new IllegalArgumentException(gd.getErrorMessage());
    }
    return Optional.of(new Answers(values));
  }

  /** The values, by macro key. */
  record Answers(Map<String, Object> values) {
    String text(String key) {
      return ((String) get(key)).trim();
    }

    double number(String key) {
      return (Double) get(key);
    }

    int integer(String key) {
      return (int) Math.round(number(key));
    }

    boolean flag(String key) {
      return (Boolean) get(key);
    }

    private Object get(String key) {
      if (!values.containsKey(key)) {
        throw new IllegalStateException("no field with key " + key);
      }
      return values.get(key);
    }
  }
}
