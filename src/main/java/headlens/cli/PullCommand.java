package headlens.cli;

import headlens.convert.Converter;
import headlens.convert.HubClient;
import headlens.core.HeadlensException;
import org.apache.commons.io.file.PathUtils;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;

/** {@code headlens pull ORG/NAME --to DIR}: download from the HuggingFace hub, then convert. */
@Command(name = "pull", mixinStandardHelpOptions = true,
        description = {"Download a model from the HuggingFace hub (HF_ENDPOINT, HF_TOKEN honoured; partial files resume;",
                "sizes and hashes verified) and convert it into a headlens model directory."})
public final class PullCommand implements Runnable {
    @Parameters(index = "0", paramLabel = "ORG/NAME", description = "hub repository, e.g. bert-base-multilingual-cased or FacebookAI/xlm-roberta-base")
    String repo;

    @Option(names = "--revision", paramLabel = "R", defaultValue = "main", description = "branch, tag or commit (default: ${DEFAULT-VALUE})")
    String revision;

    @Option(names = "--to", paramLabel = "DIR", required = true, description = "model directory to write")
    Path to;

    @Option(names = "--keep-download", description = "keep the downloaded HuggingFace files in DIR/.download")
    boolean keep;

    /** For tests: overrides HF_ENDPOINT / HF_TOKEN. */
    static HubClient client = null;

    @Override
    public void run() {
        Path dl = to.resolve(".download");
        HubClient c = client != null ? client : HubClient.fromEnvironment();
        c.download(repo, revision, dl);
        Converter.Report r = Converter.convert(dl, to);
        System.out.println(r.summary());
        if (!keep) {
            try {
                PathUtils.deleteDirectory(dl);
            } catch (IOException e) {
                throw new HeadlensException(dl + ": cannot remove the download folder: " + e.getMessage(), e);
            }
        }
    }
}
