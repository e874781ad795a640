package headlens.tokenize;

import headlens.core.HeadlensException;

/**
 * The one exception the tokenizers throw: a malformed or unsupported tokenizer file (message names the file and field).
 * Encoding never throws it for any input string.
 */
public class TokenizerException extends HeadlensException {
    public TokenizerException(String message) { super(message); }
    public TokenizerException(String message, Throwable cause) { super(message, cause); }
}
