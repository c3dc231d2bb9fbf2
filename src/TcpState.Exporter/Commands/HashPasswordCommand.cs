using TcpState.Exporter.Web;

namespace TcpState.Exporter.Commands;

/// <summary>
/// <c>tcpstate-exporter hash-password</c>: reads a password from standard input (one line) and
/// prints the hash to paste into <c>basic_auth_users</c> of the web configuration file.
/// </summary>
public static class HashPasswordCommand
{
    public static int Run(TextReader input, TextWriter output, TextWriter error)
    {
        if (!Console.IsInputRedirected)
        {
            error.Write("Password (input is not echoed): ");
        }

        var password = Console.IsInputRedirected ? input.ReadLine() : ReadHidden();
        if (!Console.IsInputRedirected) error.WriteLine();
        if (string.IsNullOrEmpty(password))
        {
            error.WriteLine("tcpstate-exporter: no password given on standard input");
            return ExitCodes.BadSettings;
        }

        output.WriteLine(PasswordHash.Create(password));
        return ExitCodes.Success;
    }

    private static string ReadHidden()
    {
        var password = new System.Text.StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter) return password.ToString();
            if (key.Key == ConsoleKey.Backspace && password.Length > 0) password.Length--;
            else if (!char.IsControl(key.KeyChar)) password.Append(key.KeyChar);
        }
    }
}
