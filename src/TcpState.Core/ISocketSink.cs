namespace TcpState.Core;

/// <summary>Receives the sockets of one dump, one at a time, without buffering the dump.</summary>
public interface ISocketSink
{
    void OnSocket(in SocketRecord socket);
}
