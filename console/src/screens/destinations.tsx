/** Destinations: the list (health and actions come with the operations screens). */
import { getJson } from '../api';
import { FormError } from '../components/field';
import { useLoad } from '../components/use-load';

interface Destination {
  name: string;
  kind: string;
  paused?: boolean;
}

export function DestinationsScreen() {
  const { data, error } = useLoad((signal) => getJson<{ items: Destination[] }>('/v1/destinations', signal), []);
  return (
    <section>
      <h1>Destinations</h1>
      <FormError error={error} />
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Kind</th>
          </tr>
        </thead>
        <tbody>
          {(data?.items ?? []).map((d) => (
            <tr key={d.name} data-destination={d.name}>
              <td>{d.name}</td>
              <td>{d.kind}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
