using System.Text;
using Vanus.Operators.Filters;
using Vanus.Operators.Linq;
using Vanus.Operators.Windows;
using Vanus.Runtime.Events;
using Vanus.Runtime.Pipeline;

// An in-process pipeline: order events, a CESQL filter, and the order count per one-minute event-time window.
var start = new DateTimeOffset(2026, 11, 27, 16, 0, 0, TimeSpan.Zero);
var orders = Enumerable.Range(0, 600).Select(i => new Event($"order-{i}", "/shop", i % 3 == 0 ? "order.cancelled" : "order.created")
{
    Time = start.AddSeconds(i),
    DataContentType = "application/json",
    Data = Encoding.UTF8.GetBytes($"{{\"amount\":{i % 250}}}"),
}.WithExtension("amount", AttributeValue.FromInteger(i % 250)));

var windows = await Source.From(orders)
    .Where("type = 'order.created' AND amount > 100")
    .TumblingWindow(TimeSpan.FromMinutes(1), e => e.Time!.Value, Aggregation.Count<Event>())
    .RunWith(Sink.ToList<Window<long>>());

foreach (var w in windows)
{
    Console.WriteLine($"{w.Start:HH:mm}-{w.End:HH:mm}  large orders: {w.Value}");
}
