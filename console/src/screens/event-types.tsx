/** The event catalog (search and schemas come with the operations screens). */
export function EventTypesScreen() {
  return (
    <section>
      <h1>Event catalog</h1>
    </section>
  );
}
