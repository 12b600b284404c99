import { Center, Loader } from "@mantine/core";

/** A small spinner in the middle of a panel that is still loading. */
export function CenteredLoader() {
  return (
    <Center py="xl">
      <Loader size="sm" />
    </Center>
  );
}
