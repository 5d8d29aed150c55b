import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  Injectable,
  Logger,
  NotFoundException,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { CacheEvict, Cacheable } from '../cache';
import { PageQueryDto } from '../common/dto/page-query.dto';
import { Page } from '../common/dto/page';
import { isUniqueViolation } from '../common/postgres-errors';
import { SessionService } from '../session/session.service';
import { CreateUserDto } from './dto/create-user.dto';
import { UpdateUserDto } from './dto/update-user.dto';
import { UserDto } from './dto/user.dto';
import { PasswordHasher } from './password-hasher';
import { Role } from './role';
import { UserEntity } from './user.entity';

const USER = 'user';

/** Runs after a user was deleted: a feature drops what it kept of that user's (its cached rows). */
export type UserDeletedListener = (userId: string) => Promise<void>;

@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);
  private readonly deletedListeners: UserDeletedListener[] = [];

  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionService,
  ) {}

  async create(dto: CreateUserDto): Promise<UserDto> {
    const passwordHash = await this.hasher.hash(dto.password);
    const entity = this.users.create({
      email: dto.email.toLowerCase(),
      name: dto.name,
      passwordHash,
    });
    return UserDto.from(await this.saveUnique(entity));
  }

  async list({ page, limit }: PageQueryDto): Promise<Page<UserDto>> {
    const [rows, total] = await this.users.findAndCount({
      order: { createdAt: 'DESC', id: 'ASC' },
      skip: (page - 1) * limit,
      take: limit,
    });
    return { items: rows.map((row) => UserDto.from(row)), total, page, limit };
  }

  /** Cached as a UserDto: the entry never holds the password hash. */
  @Cacheable({
    name: USER,
    key: (id: string) => id,
    ttl: 3_600,
  })
  async findById(id: string): Promise<UserDto> {
    return UserDto.from(await this.load(id));
  }

  /**
   * Changes the given fields. A new email or password needs the current password: 400 without it.
   * A current password that is given is checked whatever changes, 403 when it is wrong (argon2's
   * verify, which compares in constant time).
   */
  @CacheEvict({ name: USER, key: (_user: UserDto, id: string) => id })
  async update(id: string, dto: UpdateUserDto): Promise<UserDto> {
    const { currentPassword, ...changes } = dto;
    const guarded = changes.email !== undefined || changes.password !== undefined;
    if (guarded && currentPassword === undefined) {
      throw new BadRequestException('currentPassword is required to change email or password');
    }
    const entity = await this.load(id, currentPassword !== undefined);
    if (
      currentPassword !== undefined &&
      !(await this.hasher.verify(entity.passwordHash, currentPassword))
    ) {
      throw new ForbiddenException('currentPassword is wrong');
    }
    if (changes.name !== undefined) entity.name = changes.name;
    if (changes.email !== undefined) entity.email = changes.email.toLowerCase();
    if (changes.password !== undefined) {
      entity.passwordHash = await this.hasher.hash(changes.password);
    }
    return UserDto.from(await this.saveUnique(entity));
  }

  /** Makes the user with this email a member or an admin, from that user's next request on. */
  @CacheEvict({ name: USER, key: (user: UserDto) => user.id })
  async setRole(email: string, role: Role): Promise<UserDto> {
    const entity = await this.users.findOneBy({ email: email.toLowerCase() });
    if (!entity) throw new NotFoundException(`No user has the email ${email}`);
    entity.role = role;
    return UserDto.from(await this.users.save(entity));
  }

  /** `listener` runs after each deletion of a user, before the deletion is answered. */
  onDeleted(listener: UserDeletedListener): void {
    this.deletedListeners.push(listener);
  }

  @CacheEvict({ name: USER, key: (_none: void, id: string) => id })
  async remove(id: string): Promise<void> {
    const { affected } = await this.users.delete({ id });
    if (!affected) throw new NotFoundException(`User ${id} not found`);
    await this.sessions.endAllOf(id);
    await Promise.all(
      this.deletedListeners.map((listener) =>
        listener(id).catch((error: unknown) =>
          this.logger.warn(`After deleting user ${id}: ${String(error)}`),
        ),
      ),
    );
  }

  /** The one read that includes the password hash, for sign-in only. */
  findCredentials(email: string): Promise<UserEntity | null> {
    return this.users
      .createQueryBuilder('user')
      .addSelect('user.passwordHash')
      .where('user.email = :email', { email: email.toLowerCase() })
      .getOne();
  }

  /**
   * Stores a new hash of the same password. Nothing the user sees changes, `updatedAt` included, so
   * no cached answer goes stale.
   */
  async replacePasswordHash(id: string, passwordHash: string): Promise<void> {
    await this.users.update({ id }, { passwordHash, updatedAt: () => 'updated_at' });
  }

  private async load(id: string, withPasswordHash = false): Promise<UserEntity> {
    const query = this.users.createQueryBuilder('user').where('user.id = :id', { id });
    if (withPasswordHash) query.addSelect('user.passwordHash');
    const entity = await query.getOne();
    if (!entity) throw new NotFoundException(`User ${id} not found`);
    return entity;
  }

  private async saveUnique(entity: UserEntity): Promise<UserEntity> {
    try {
      return await this.users.save(entity);
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictException('Email is already registered');
      throw error;
    }
  }
}
