using System.Diagnostics;
using TcpState.Tests.Infrastructure;

namespace TcpState.Tests.TestSupport;

/// <summary>
/// A process with a chosen <c>comm</c> (any bytes but NUL; the kernel keeps the first 15) that
/// listens on a loopback port and holds one connection to it, inside a test namespace. It is Perl,
/// because assigning <c>$0</c> there sets the comm with prctl(PR_SET_NAME) byte for byte, while a
/// .NET apphost reached through a file of that name crashes when the path holds a line feed.
/// It exits when its stdin closes (Dispose) or after two minutes.
/// </summary>
public sealed class NamedListenerProcess : IDisposable
{
    private const string Script = """
        use IO::Socket::INET;
        alarm 120;
        $0 = pack("H*", $ARGV[0]);
        my $listener = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => $ARGV[1], Listen => 16, ReuseAddr => 1) or die "listen: $!";
        my $client = IO::Socket::INET->new(PeerAddr => "127.0.0.1", PeerPort => $ARGV[1]) or die "connect: $!";
        $| = 1;
        print "READY\n";
        <STDIN>;
        """;

    private readonly Process _process;

    private NamedListenerProcess(Process process) => _process = process;

    public int Pid => _process.Id;

    public static NamedListenerProcess Start(NetworkNamespace ns, byte[] name, int port)
    {
        var process = ns.Start("perl", ["-e", Script, Convert.ToHexString(name), port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        var listener = new NamedListenerProcess(process);
        var ready = process.StandardOutput.ReadLineAsync();
        if (!ready.Wait(TimeSpan.FromSeconds(20)) || ready.Result != "READY")
        {
            var error = process.HasExited ? process.StandardError.ReadToEnd() : "(still running)";
            listener.Dispose();
            throw new InvalidOperationException($"the named listener on port {port} did not start: {error}");
        }

        return listener;
    }

    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(5000))
            {
                _process.Kill();
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        catch (IOException)
        {
            // Its stdin pipe is already closed: it has exited.
        }

        _process.Dispose();
    }
}
