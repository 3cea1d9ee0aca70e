// One MongoDB user per service, allowed only its own database (readWrite on it, nothing else),
// as the local stack's FerretDB users are (towngrid_devstack/database.py). The image runs the
// scripts of /docker-entrypoint-initdb.d/ once, as the root user, when it starts on an empty
// data volume. To change a password later, change it in deploy/.env, `docker compose up -d mongo`
// and run this script again (it sets the password of a user that exists):
//   docker compose exec mongo sh -c 'mongosh -u "$MONGO_INITDB_ROOT_USERNAME" -p "$MONGO_INITDB_ROOT_PASSWORD" \
//     --authenticationDatabase admin /docker-entrypoint-initdb.d/create-service-users.js'
// then restart that service's api and worker.
for (const service of ["registry", "permits", "delivery", "labor", "board"]) {
  const variable = `MONGO_${service.toUpperCase()}_PASSWORD`;
  const password = process.env[variable];
  if (!password) {
    throw new Error(`${variable} is not set: set it in deploy/.env`);
  }
  const own = db.getSiblingDB(service);
  const roles = [{ role: "readWrite", db: service }];
  if (own.getUser(service)) {
    own.updateUser(service, { pwd: password, roles });
  } else {
    own.createUser({ user: service, pwd: password, roles });
  }
  print(`towngrid: database user ${service}, readWrite on ${service} only`);
}
