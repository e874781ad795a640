package headlens.core;

/** An error caused by the user's input (a file, a flag, a tensor): printed as one clear line, exit code 2. */
public class HeadlensException extends RuntimeException {
    public HeadlensException(String message) { super(message); }
    public HeadlensException(String message, Throwable cause) { super(message, cause); }
}
