package headlens.data;

import headlens.core.HeadlensException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/** Reads a data file into lines: explicit charset, or UTF-8 with a Latin-1 fallback (CoNLL-2002 Spanish is Latin-1). */
final class TextFile {
    private TextFile() {}

    static List<String> lines(Path file, Charset charset) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new HeadlensException(file + ": no such file");
        } catch (IOException e) {
            throw new HeadlensException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        String text = charset != null ? new String(bytes, charset) : decodeUtf8OrLatin1(bytes);
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        return text.lines().toList(); // \n or \r\n; a trailing newline adds no line
    }

    /** The first lines of a file (up to {@code maxBytes}), for format detection; a cut last line does not matter there. */
    static List<String> head(Path file, Charset charset, int maxBytes) {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(maxBytes);
        } catch (NoSuchFileException e) {
            throw new HeadlensException(file + ": no such file");
        } catch (IOException e) {
            throw new HeadlensException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        if (charset == null && bytes.length == maxBytes) {
            int end = bytes.length;
            while (end > 0 && (bytes[end - 1] & 0xC0) == 0x80) end--; // don't cut a UTF-8 sequence in two
            if (end > 0 && (bytes[end - 1] & 0x80) != 0) end--;
            bytes = java.util.Arrays.copyOf(bytes, end);
        }
        String text = charset != null ? new String(bytes, charset) : decodeUtf8OrLatin1(bytes);
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        return text.lines().toList();
    }

    static String decodeUtf8OrLatin1(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
    }

    static String loc(Path file, int lineIndex) { return file + ":" + (lineIndex + 1); }
}
