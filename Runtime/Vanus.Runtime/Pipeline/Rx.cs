using System.Reactive.Disposables;
using System.Reactive.Linq;

namespace Vanus.Runtime.Pipeline;

/// <summary>Conversions between streams and System.Reactive observables.</summary>
public static class RxConversions
{
    /// <summary>An observable that runs the stream for each subscriber; disposing the subscription cancels that run.</summary>
    public static IObservable<T> ToObservable<T>(this Source<T> source, StreamSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Observable.Create<T>(observer =>
        {
            var cts = new CancellationTokenSource();
            _ = source.RunWith(Sink.ToObserver(observer), settings ?? StreamSettings.Default, cts.Token);
            return Disposable.Create(() =>
            {
                cts.Cancel();
                cts.Dispose();
            });
        });
    }

    /// <summary>A source that subscribes to the observable when run (see <see cref="Source.FromObservable{T}"/>).</summary>
    public static Source<T> ToSource<T>(this IObservable<T> observable, int bufferSize = 16, OverflowStrategy overflow = OverflowStrategy.Backpressure) =>
        Source.FromObservable(observable, bufferSize, overflow);
}
